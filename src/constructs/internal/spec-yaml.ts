/**
 * YAML for spec documents built from objects: block style, plain keys where YAML reads them back as the same
 * string, every string double-quoted (so that a token's deploy-time value stays one scalar), no line folding.
 *
 * A spec holds only what `Spec.fromObject` takes (mappings, sequences, strings, numbers, booleans, null), so this
 * small writer replaces a general YAML library's document model, which cost a third of the synth time per object.
 * Its output is checked against the `yaml` package's, and parsed back, in the tests.
 */
export function specYaml(document: { [key: string]: unknown }): string {
  return `${blockLines(document, 0).join('\n')}\n`;
}

/** Lines of a non-empty mapping or sequence, at `indent` spaces. */
function blockLines(value: object, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isBlock(item)) {
        const [first, ...rest] = blockLines(item, indent + 2);
        lines.push(`${pad}- ${first.trimStart()}`, ...rest);
      } else {
        lines.push(`${pad}- ${inline(item)}`);
      }
    }
    return lines;
  }
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue; // as JSON does: an undefined input is not written
    if (isBlock(item)) {
      lines.push(`${pad}${yamlKey(key)}:`, ...blockLines(item, indent + 2));
    } else {
      lines.push(`${pad}${yamlKey(key)}: ${inline(item)}`);
    }
  }
  return lines;
}

/** A mapping or sequence with entries: written over lines of its own. */
function isBlock(value: unknown): value is object {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === 'object' && value !== null && Object.values(value).some((v) => v !== undefined);
}

/** A scalar, or an empty mapping or sequence, on the line of its key. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return '[]';
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string': return quoted(value);
    case 'number': return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
    case 'boolean': return String(value);
    case 'object': return '{}';
    default: throw new Error(`a spec cannot hold a ${typeof value}`);
  }
}

/**
 * A YAML double-quoted scalar. JSON's escapes are YAML's, except that YAML 1.1 readers take the Unicode line and
 * paragraph separators and NEL as line breaks: those are escaped too.
 */
function quoted(text: string): string {
  return JSON.stringify(text).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Words YAML 1.1 or 1.2 readers take as something other than a string. */
const NOT_A_STRING = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;

function yamlKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) && !NOT_A_STRING.test(key) ? key : quoted(key);
}
