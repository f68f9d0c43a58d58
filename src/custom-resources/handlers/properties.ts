/** CloudFormation sends every scalar as a string: these parse them back, strictly. */

export function requiredString(props: Record<string, any>, name: string): string {
  const value = props[name];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`property ${name} is required (got ${JSON.stringify(value)})`);
  }
  return value;
}

export function optionalString(props: Record<string, any>, name: string): string | undefined {
  const value = props[name];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new Error(`property ${name} must be a string (got ${JSON.stringify(value)})`);
  }
  return value;
}

export function booleanProperty(props: Record<string, any>, name: string, defaultValue: boolean): boolean {
  const value = props[name];
  if (value === undefined || value === '') return defaultValue;
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  throw new Error(`property ${name} must be "true" or "false" (got ${JSON.stringify(value)})`);
}

export function tagList(props: Record<string, any>, name: string): Array<{ key: string; value: string }> {
  const value = props[name];
  if (value === undefined || value === '') return [];
  if (!Array.isArray(value)) {
    throw new Error(`property ${name} must be a list of { key, value } (got ${JSON.stringify(value)})`);
  }
  return value.map((tag) => ({ key: String(tag.key), value: String(tag.value ?? '') }));
}
