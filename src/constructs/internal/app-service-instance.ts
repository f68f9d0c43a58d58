import type { IServiceInstance, Service } from '../services';

/**
 * An instance declared on a `Service` of this app (`service.instance(name)`). A `Component`
 * attached to it finds the service: its template version and the instance's environment.
 */
export class AppServiceInstance implements IServiceInstance {
  public readonly serviceName: string;

  constructor(
    public readonly service: Service,
    public readonly serviceInstanceName: string,
    private readonly readOutput: (key: string) => string,
  ) {
    this.serviceName = service.serviceName;
  }

  public output(key: string): string {
    return this.readOutput(key);
  }
}
