export * from './constructs/bundles/template-bundle';
export * from './constructs/templates';
export * from './custom-resources/provider';
