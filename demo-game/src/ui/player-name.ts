/**
 * The player's name, per tab: remembered across visits (localStorage), but a second tab of the
 * same browser does not take a name another open tab is using. Each tab lists its name under
 * its own id in localStorage and refreshes it every few seconds; a new tab takes the remembered
 * name only when no live tab holds it, else a random one nobody holds. A tab's own name survives
 * its reloads (sessionStorage).
 */
import { randomName } from './names.js';

const SAVED_KEY = 'hostmesh-demo-name';
const TABS_KEY = 'hostmesh-demo-tabs';
const TAB_NAME_KEY = 'hostmesh-demo-tab-name';
const REFRESH_MS = 2000;
const LIVE_MS = 5000;

type Tabs = Record<string, { name: string; seenMs: number }>;

function readTabs(): Tabs {
  try {
    const tabs = JSON.parse(localStorage.getItem(TABS_KEY) ?? '{}') as Tabs;
    return typeof tabs === 'object' && tabs !== null ? tabs : {};
  } catch {
    return {};
  }
}

/** The name this tab plays under. */
export class PlayerName {
  private readonly tabId = Math.random().toString(36).slice(2);
  private current: string;

  constructor() {
    const now = Date.now();
    const taken = new Set(Object.values(readTabs()).filter((t) => now - t.seenMs < LIVE_MS).map((t) => t.name));
    const saved = localStorage.getItem(SAVED_KEY);
    let name = sessionStorage.getItem(TAB_NAME_KEY) ?? (saved && !taken.has(saved) ? saved : randomName());
    for (let i = 0; i < 20 && taken.has(name) && sessionStorage.getItem(TAB_NAME_KEY) === null; i++) name = randomName();
    this.current = name;
    sessionStorage.setItem(TAB_NAME_KEY, name);
    this.announce();
    setInterval(() => this.announce(), REFRESH_MS);
    window.addEventListener('pagehide', () => this.announce(true));
  }

  /** The name. */
  get value(): string {
    return this.current;
  }

  /** Renames this tab (blank keeps the old name) and remembers it for the next visit. */
  set(name: string): void {
    this.current = name.trim() || this.current;
    sessionStorage.setItem(TAB_NAME_KEY, this.current);
    localStorage.setItem(SAVED_KEY, this.current);
    this.announce();
  }

  private announce(gone = false): void {
    const now = Date.now();
    const tabs = Object.fromEntries(Object.entries(readTabs()).filter(([, t]) => now - t.seenMs < LIVE_MS));
    if (gone) delete tabs[this.tabId]; else tabs[this.tabId] = { name: this.current, seenMs: now };
    localStorage.setItem(TABS_KEY, JSON.stringify(tabs));
  }
}
