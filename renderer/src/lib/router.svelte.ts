/** Hash routes (`#/overview`, `#/certificates`, …, `#/config`, `#/settings`); the token never appears in them. */
const ROUTES = [
  'overview',
  'certificates',
  'history',
  'tags',
  'alarms',
  'conflicts',
  'config',
  'settings',
  'users',
] as const;
export type Route = (typeof ROUTES)[number];

export function routeFromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'overview';
}

export function hrefFor(route: Route): string {
  return `#/${route}`;
}

export class Router {
  route = $state<Route>('overview');
  #target: Window | null = null;
  readonly #onHashChange = (): void => {
    if (this.#target) this.route = routeFromHash(this.#target.location.hash);
  };

  start(target: Window): void {
    this.stop();
    this.#target = target;
    this.route = routeFromHash(target.location.hash);
    target.addEventListener('hashchange', this.#onHashChange);
  }

  stop(): void {
    this.#target?.removeEventListener('hashchange', this.#onHashChange);
    this.#target = null;
  }
}
