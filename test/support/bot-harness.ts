// The real bot (createBot) against the real Bot API stand-in, with in-memory ports: for tests of
// the bot's own behaviour that need no AWS and no chain. Updates are real-shaped; what the bot
// sent is read back from the stand-in, as Telegram would have received it.
import { renderPng } from '#core/adapters/charts/png.js';
import { ModeSource } from '#core/adapters/mode-source.js';
import { createBot } from '#core/adapters/telegram/bot.js';
import type { BotDeps } from '#core/adapters/telegram/deps.js';
import type { Fill } from '#core/domain/fills.js';
import type { Follow } from '#core/domain/follows.js';
import type { Position } from '#core/domain/positions.js';
import { defaultRiskPolicy, type RiskPolicy } from '#core/domain/risk.js';
import type { User } from '#core/domain/users.js';
import type { RecordedError } from '#core/ports/operator.js';
import type { Leaderboard, Profile } from '#core/ports/stores.js';
import { startBotApi, type BotApiStandIn, type RecordedCall } from '../../local/standins/telegram-bot-api.js';

export const BOT_TOKEN = '424242:test-token';

export class MemoryWorld {
  readonly users = new Map<string, { user: User; risk: RiskPolicy; wallet?: string }>();
  readonly follows = new Map<string, Follow>();
  readonly errors: RecordedError[] = [];
  readonly positions = new Map<string, Position[]>();
  readonly fills = new Map<string, Fill[]>();
  boards: Partial<Record<'score' | 'pnl', Leaderboard>> = {};
  switchValue = 'DRY';
  emergency = false;
  now = new Date('2026-12-01T12:00:00Z');

  deps(admins: readonly string[] = []): BotDeps {
    const key = (u: string, t: string) => `${u}|${t}`;
    const profile = (id: string): Profile | undefined => {
      const u = this.users.get(id);
      return u && { user: u.user, risk: u.risk, ...(u.wallet ? { wallet: u.wallet } : {}) };
    };
    const flags = {
      emergencyStop: async () => this.emergency,
      setEmergencyStop: async (on: boolean) => {
        this.emergency = on;
      },
    };
    const executionSwitch = {
      read: async () => this.switchValue,
      write: async (v: string) => {
        this.switchValue = v;
      },
    };
    return {
      users: {
        upsertFromStart: async (user) => {
          const known = this.users.get(user.userId);
          this.users.set(user.userId, { ...(known ?? { risk: defaultRiskPolicy() }), user });
          return { isNew: !known };
        },
        get: async (id) => this.users.get(id)?.user,
        markInactive: async (id) => {
          const u = this.users.get(id);
          if (u) this.users.set(id, { ...u, user: { ...u.user, active: false } });
        },
        profile: async (id) => profile(id),
        profiles: async (ids) =>
          new Map(ids.flatMap((id) => (profile(id) ? [[id, profile(id) as Profile] as const] : []))),
        setRisk: async (id, risk) => {
          const u = this.users.get(id);
          if (u) this.users.set(id, { ...u, risk });
        },
        setWallet: async (id, wallet) => {
          const u = this.users.get(id);
          if (u) this.users.set(id, { ...u, wallet });
        },
      },
      follows: {
        get: async (u, t) => this.follows.get(key(u, t)),
        listByUser: async (u) => [...this.follows.values()].filter((f) => f.userId === u),
        create: async (f, limit) => {
          if (this.follows.has(key(f.userId, f.trader))) return 'EXISTS';
          if ([...this.follows.values()].filter((x) => x.userId === f.userId).length >= limit) return 'LIMIT';
          this.follows.set(key(f.userId, f.trader), f);
          return 'CREATED';
        },
        save: async (f) => {
          this.follows.set(key(f.userId, f.trader), f);
        },
        remove: async (u, t) => this.follows.delete(key(u, t)),
        setPaused: async () => undefined,
        turnOffAllAuto: async () => 0,
        followersOf: async function* () {
          yield [];
        },
      },
      stats: {
        getMany: async () => new Map(),
        getLeaderboard: async (sort) => this.boards[sort],
        getPrices: async () => new Map(),
      },
      fills: {
        recentOf: async (t, n) => [...(this.fills.get(t) ?? [])].reverse().slice(0, n),
        eventsOf: async (t) => [...(this.fills.get(t) ?? [])],
      },
      positions: { positionsOf: async (w) => this.positions.get(w) ?? [] },
      mode: new ModeSource({
        switch: executionSwitch,
        flags,
        ceiling: 'DRY',
        envEmergencyStop: false,
        maxAgeMs: 0,
      }),
      executionSwitch,
      flags,
      errors: {
        record: async (reason, message, now) => {
          this.errors.unshift({ at: now.toISOString(), reason, message });
        },
        recent: async (n) => this.errors.slice(0, n),
      },
      queues: { depths: async () => [] },
      indexer: { checkpoint: async () => undefined, head: async () => undefined },
      wallets: undefined,
      admins: new Set(admins),
      rules: { minTrades30d: 10, minVolume30dUsd: 10_000, activeHours: 72 },
      ceiling: 'DRY',
      clock: { now: () => this.now },
      charts: { png: async (spec) => (await renderPng(spec)).png },
    };
  }
}

export interface Harness {
  readonly api: BotApiStandIn;
  readonly world: MemoryWorld;
  /** Sends text as user `id` (language `lang`); returns the calls the bot made for it. */
  say(id: number, text: string, lang?: string): Promise<RecordedCall[]>;
  /** Presses a button (its callback data) on message `messageId` with that message's keyboard. */
  press(
    id: number,
    data: string,
    message?: { messageId: number; keyboard?: unknown },
  ): Promise<RecordedCall[]>;
  close(): Promise<void>;
}

let nextUpdate = 1;

export async function startHarness(opts: { admins?: readonly string[] } = {}): Promise<Harness> {
  const api = await startBotApi({ token: BOT_TOKEN });
  const world = new MemoryWorld();
  const bot = createBot({ token: BOT_TOKEN, apiRoot: api.url }, world.deps(opts.admins ?? []));
  const run = async (update: Record<string, unknown>) => {
    const since = api.calls().at(-1)?.seq ?? 0;
    await bot.handleUpdate(update as never);
    return api.calls({ since });
  };
  const from = (id: number, lang = 'en') => ({
    id,
    is_bot: false,
    first_name: `U${id}`,
    language_code: lang,
  });
  const chat = (id: number) => ({ id, type: 'private', first_name: `U${id}` });
  return {
    api,
    world,
    say: (id, text, lang) => {
      const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text)?.[0];
      return run({
        update_id: nextUpdate++,
        message: {
          message_id: nextUpdate,
          from: from(id, lang),
          chat: chat(id),
          date: Math.floor(world.now.getTime() / 1000),
          text,
          ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
        },
      });
    },
    press: (id, data, message = { messageId: 1 }) =>
      run({
        update_id: nextUpdate++,
        callback_query: {
          id: String(nextUpdate),
          from: from(id),
          chat_instance: String(id),
          message: {
            message_id: message.messageId,
            from: api.botUser,
            chat: chat(id),
            date: Math.floor(world.now.getTime() / 1000),
            text: 'x',
            ...(message.keyboard ? { reply_markup: message.keyboard } : {}),
          },
          data,
        },
      }),
    close: () => api.close(),
  };
}

/** The texts of the messages a set of calls sent or edited. */
export const texts = (calls: readonly RecordedCall[]): string[] =>
  calls
    .filter((c) => c.method === 'sendMessage' || c.method === 'editMessageText')
    .map((c) => String(c.params.text));

/** The callback data of every button in the calls' keyboards, by button text. */
export function buttons(calls: readonly RecordedCall[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of calls) {
    const rows = (c.params.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] })
      ?.inline_keyboard;
    for (const b of rows?.flat() ?? []) if (b.callback_data) out.set(b.text, b.callback_data);
  }
  return out;
}
