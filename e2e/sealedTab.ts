// What the sealed-tab specs watch: Content-Security-Policy violations (the page's
// securitypolicyviolation events and the console reports of the page and its workers) and every
// request the page or its worker makes.
import type { Page, Request, Worker } from '@playwright/test';

export interface CspWatch {
  /** Violations seen so far, one line each. */
  violations(): Promise<string[]>;
}

const CSP_CONSOLE = /Content Security Policy|Content-Security-Policy/i;

type Scope = { __cspViolations?: string[]; addEventListener(type: 'securitypolicyviolation', f: (e: SecurityPolicyViolationEvent) => void): void };

/** Installed in the page before its scripts run, and in each worker as soon as it starts. */
function listen(scope: Scope) {
  if (scope.__cspViolations) return;
  const seen: string[] = [];
  scope.__cspViolations = seen;
  scope.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
}

export function watchCsp(page: Page): CspWatch {
  const fromConsole: string[] = [];
  const workers: Worker[] = [];
  page.on('console', (m) => {
    if (CSP_CONSOLE.test(m.text())) fromConsole.push(`page console: ${m.text()}`);
  });
  page.on('worker', (w) => {
    workers.push(w);
    w.on('console', (m) => {
      if (CSP_CONSOLE.test(m.text())) fromConsole.push(`worker console: ${m.text()}`);
    });
    void w.evaluate(`(${listen.toString()})(self)`).catch(() => undefined);
  });
  void page.addInitScript(`(${listen.toString()})(window)`);
  const read = (where: string) => (list: string[] | undefined) => (list ?? []).map((v) => `${where} securitypolicyviolation: ${v}`);
  return {
    async violations() {
      const fromPage = await page.evaluate(() => (window as unknown as Scope).__cspViolations).then(read('page'), () => []);
      const fromWorkers = await Promise.all(workers.map((w) => w.evaluate(() => (self as unknown as Scope).__cspViolations).then(read('worker'), () => [])));
      return [...fromPage, ...fromWorkers.flat(), ...fromConsole];
    },
  };
}

export interface RecordedRequest {
  url: string;
  method: string;
  resourceType: string;
}

/** Every request of the page and of its dedicated workers (Playwright reports both on the page), from now on. */
export function recordRequests(page: Page): RecordedRequest[] {
  const seen: RecordedRequest[] = [];
  page.on('request', (r: Request) => seen.push({ url: r.url(), method: r.method(), resourceType: r.resourceType() }));
  return seen;
}

/** The requests whose URL leaves `origin` (data: and blob: URLs never leave the tab). */
export function leaving(requests: readonly RecordedRequest[], origin: string): RecordedRequest[] {
  return requests.filter((r) => !/^(data|blob):/.test(r.url) && new URL(r.url).origin !== origin);
}
