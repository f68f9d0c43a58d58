export * from './constructs/bundles/template-bundle';
export * from './constructs/templates';
export * from './constructs/service-templates';
export * from './constructs/specs';
export * from './constructs/environments';
export * from './constructs/services';
export * from './constructs/account-connections';
export * from './custom-resources/provider';
