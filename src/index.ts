export * from './constructs/bundles/template-bundle';
export * from './constructs/templates';
export * from './constructs/specs';
export * from './constructs/environments';
export * from './constructs/account-connections';
export * from './custom-resources/provider';
