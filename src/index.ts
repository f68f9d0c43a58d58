export * from './constructs/bundles/template-bundle';
export * from './constructs/templates';
export { ProtonProvider, ProtonProviderProps } from './custom-resources/provider';
