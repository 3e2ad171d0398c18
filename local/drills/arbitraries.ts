// fast-check arbitraries for the fuzz drill: Telegram updates shaped like the Bot API's (message,
// edited_message, callback_query, inline_query, my_chat_member, channel_post, unknown kinds), bent
// the ways a hostile or broken client bends them (huge texts, emoji, wrong types, forged and stale
// callback data, other users' ids inside callback data), and queue bodies that no consumer's parser
// accepts. Senders come from a small pool and "victims" (ids that only ever appear inside payloads)
// from another, so the drill can tell a reply to the sender from a message to someone else.
import fc from 'fast-check';
import { encodeCallback } from '#core/domain/callbacks.js';
import { parseAlertJob, parseCopyJob, parseSignal } from '#core/copy/jobs.js';
import type { QueueKey } from '#core/resources.js';

export interface IdPools {
  /** Telegram ids that send updates (a reply may go to them). */
  readonly senders: readonly number[];
  /** Ids that appear only inside texts and callback data: nothing may ever be sent to them. */
  readonly victims: readonly number[];
}

/** One generated webhook request: the body as sent (usually JSON) and which secret header it carries. */
export interface FuzzRequest {
  readonly body: string;
  readonly secret: 'valid' | 'missing' | 'wrong';
  /** The chat a well-formed update would be answered in (undefined for shapes without one). */
  readonly senderId?: number;
}

const hex40 = fc.stringMatching(/^[0-9a-f]{40}$/);
const address = hex40.map((h) => `0x${h}`);

/** Texts a user (or an attacker) might type: commands, emoji, control characters, huge ones. */
function textArb(victims: readonly number[]): fc.Arbitrary<string> {
  const victim = fc.constantFrom(...victims).map(String);
  return fc.oneof(
    fc.constantFrom('/start', '/help', '/leaders', '/following', '/status', '/settings', '/live', '/stop'),
    fc
      .tuple(fc.constantFrom('/follow', '/unfollow', '/trader', '/backtest', '/chart'), address)
      .map(([c, a]) => `${c} ${a}`),
    fc
      .tuple(fc.constantFrom('/follow', '/admin', '/copy', '/emergency', '/user'), victim)
      .map(([c, v]) => `${c} ${v}`),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 100 }),
    fc.constantFrom('🚀🚀🚀', '👨‍👩‍👧‍👦', '\u202e/start', '\u0000', '<b>bold</b><script>', '&amp;&lt;'),
    // Past Telegram's 4096-character limit: the bot must not echo it back verbatim.
    fc.integer({ min: 4_097, max: 20_000 }).map((n) => 'x'.repeat(n)),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).map((s) => s.repeat(700)),
  );
}

/** Callback data: real encodings (about other traders, other users), stale versions, forged bytes. */
function callbackDataArb(victims: readonly number[]): fc.Arbitrary<string> {
  const victim = fc.constantFrom(...victims).map(String);
  return fc.oneof(
    address.map((trader) => encodeCallback({ a: 'follow', trader })),
    address.map((trader) => encodeCallback({ a: 'settings', trader })),
    address.map((trader) => encodeCallback({ a: 'unfollow', trader })),
    fc.constant(encodeCallback({ a: 'live', confirm: true })),
    fc.constant(encodeCallback({ a: 'cancel' })),
    fc
      .tuple(address, fc.integer({ min: 0, max: 2_000_000_000 }), fc.stringMatching(/^[A-Za-z0-9_-]{0,6}$/))
      .map(([trader, at, token]) => encodeCallback({ a: 'confirm', kind: 'auto', trader, at, token })),
    // Stale: an old version prefix; other users' ids where an id might be expected.
    fc.tuple(fc.constantFrom('0', '2', '9'), address).map(([v, a]) => `${v}:f:${a.slice(2)}`),
    victim.map((v) => `1:u:${v}`),
    victim.map((v) => `1:c:es:${v}:0:x`),
    fc.tuple(victim, address).map(([v, a]) => `1:s:${a.slice(2)}:mode:${v}`),
    fc.string({ unit: 'grapheme', maxLength: 64 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
  );
}

const user = (id: number) => ({ id, is_bot: false, first_name: `Fuzz ${id}`, language_code: 'en' });
const chat = (id: number) => ({ id, type: 'private', first_name: `Fuzz ${id}` });

/** Anything at all where a field should be: the "wrong types" of the brief. */
const wrongValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/**
 * Which updates: `all`; `telegram-shaped` (only shapes the Bot API itself sends, kinds and fields of
 * the right JSON types, with hostile contents); `wrong-types` (known kinds whose fields have the
 * wrong JSON type, what a forger or a broken proxy could post with the secret).
 */
export type UpdateShapes = 'all' | 'telegram-shaped' | 'wrong-types';

export function updateArb(
  pools: IdPools,
  nextUpdateId: () => number,
  shapes: UpdateShapes = 'all',
): fc.Arbitrary<FuzzRequest> {
  const sender = fc.constantFrom(...pools.senders);
  const text = textArb(pools.victims);
  const now = Math.floor(Date.now() / 1000);
  const date = fc.oneof(fc.constant(now), fc.integer({ min: 0, max: now - 86_400 * 30 }));
  const message = fc.tuple(sender, text, date).map(([id, t, d]) => ({
    senderId: id,
    update: {
      message: {
        message_id: Math.abs(nextUpdateId()) % 1_000_000,
        from: user(id),
        chat: chat(id),
        date: d,
        text: t,
        ...(t.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: t.split(' ')[0]?.length ?? 1 }] }
          : {}),
      },
    },
  }));
  const edited = message.map(({ senderId, update }) => ({
    senderId,
    update: { edited_message: { ...update.message, edit_date: now } },
  }));
  const callback = fc
    .tuple(sender, callbackDataArb(pools.victims), fc.boolean())
    .map(([id, data, withMessage]) => ({
      senderId: id,
      update: {
        callback_query: {
          id: String(nextUpdateId()),
          from: user(id),
          chat_instance: '1',
          data,
          ...(withMessage
            ? { message: { message_id: 1, chat: chat(id), date: now - 3_600, text: 'old screen' } }
            : {}),
        },
      },
    }));
  const inline = fc.tuple(sender, text).map(([id, q]) => ({
    senderId: id,
    update: {
      inline_query: { id: String(nextUpdateId()), from: user(id), query: q.slice(0, 256), offset: '' },
    },
  }));
  const memberChange = fc
    .tuple(sender, fc.constantFrom('kicked', 'member', 'left', 'weird'))
    .map(([id, status]) => ({
      senderId: id,
      update: {
        my_chat_member: {
          chat: chat(id),
          from: user(id),
          date: now,
          old_chat_member: { user: { id: 1, is_bot: true, first_name: 'Alfa' }, status: 'member' },
          new_chat_member: { user: { id: 1, is_bot: true, first_name: 'Alfa' }, status },
        },
      },
    }));
  // Shapes with no private chat to answer in: unknown kinds, channel posts, wrong types.
  const unknownKind = fc
    .tuple(
      fc.constantFrom('poll', 'chat_boost', 'message_reaction', 'business_message', 'zz_future'),
      wrongValue,
    )
    .map(([k, v]) => ({ senderId: undefined, update: { [k]: v } }));
  const channelPost = text.map((t) => ({
    senderId: undefined,
    update: {
      channel_post: {
        message_id: 1,
        chat: { id: -1001234567890, type: 'channel', title: 'c' },
        date: now,
        text: t,
      },
    },
  }));
  const wrongTypes = fc
    .tuple(sender, fc.constantFrom('message', 'from', 'chat', 'text', 'date', 'data'), wrongValue)
    .map(([id, field, v]) => {
      const base: Record<string, unknown> = {
        message_id: 1,
        from: user(id),
        chat: chat(id),
        date: now,
        text: '/start',
      };
      if (field === 'message') return { senderId: id, update: { message: v } };
      if (field === 'data')
        return { senderId: id, update: { callback_query: { id: 'x', from: user(id), data: v } } };
      return { senderId: id, update: { message: { ...base, [field]: v } } };
    });
  const wellTyped = [
    { weight: 5, arbitrary: message },
    { weight: 1, arbitrary: edited },
    { weight: 4, arbitrary: callback },
    { weight: 1, arbitrary: inline },
    { weight: 1, arbitrary: memberChange },
    { weight: 1, arbitrary: unknownKind },
    { weight: 1, arbitrary: channelPost },
  ];
  const shaped =
    shapes === 'telegram-shaped'
      ? fc.oneof(...wellTyped)
      : shapes === 'wrong-types'
        ? wrongTypes
        : fc.oneof(...wellTyped, { weight: 2, arbitrary: wrongTypes });
  const body = fc.oneof(
    {
      weight: 12,
      arbitrary: shaped.map((s) => ({
        senderId: s.senderId,
        body: JSON.stringify({ update_id: nextUpdateId(), ...s.update }),
      })),
    },
    // update_id of the wrong type, or a body that is not an update at all.
    {
      weight: 1,
      arbitrary: fc
        // Not a whole number: an integer here is a real update_id, and the small ones fast-check
        // favours (0) would take the id of another test's update on the shared test stack.
        .tuple(
          wrongValue.filter((v) => !Number.isInteger(v)),
          shaped,
        )
        .map(([id, s]) => ({ senderId: s.senderId, body: JSON.stringify({ update_id: id, ...s.update }) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.string({ maxLength: 200 }), fc.json(), fc.constant(''), fc.constant('{'))
        .map((b) => ({ senderId: undefined, body: b })),
    },
  );
  const secret = fc.oneof(
    { weight: 18, arbitrary: fc.constant('valid' as const) },
    { weight: 1, arbitrary: fc.constant('missing' as const) },
    { weight: 1, arbitrary: fc.constant('wrong' as const) },
  );
  return fc.tuple(body, secret).map(([b, s]) => ({
    body: b.body,
    secret: s,
    ...(b.senderId !== undefined ? { senderId: b.senderId } : {}),
  }));
}

const PARSERS: Readonly<Record<QueueKey, (body: string) => unknown>> = {
  signals: parseSignal,
  alerts: parseAlertJob,
  notices: parseAlertJob,
  copies: parseCopyJob,
};

/** Why the queue's consumer refuses a body (its own parser's error), or undefined when it accepts it. */
export function refusalOf(queue: QueueKey, body: string): string | undefined {
  try {
    PARSERS[queue](body);
    return undefined;
  } catch (err) {
    return (err instanceof Error ? `${err.name}: ${err.message}` : String(err))
      .replace(/\s+/g, ' ')
      .slice(0, 300);
  }
}

/** The characters SQS accepts in a body (it refuses the rest with InvalidMessageContents). */
const SQS_CHARS = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/**
 * Queue bodies the consumer must refuse: not JSON, JSON of the wrong shape, near-misses of a real
 * job with one field of the wrong type. Only bodies the consumer's own parser rejects are kept, so
 * a generated alert can never be a valid one that messages a stranger.
 */
export function malformedBodyArb(queue: QueueKey, victims: readonly number[]): fc.Arbitrary<string> {
  const victim = fc.constantFrom(...victims).map(String);
  const nearMiss =
    queue === 'alerts' || queue === 'notices'
      ? fc
          .tuple(victim, wrongValue)
          .map(([v, html]) => JSON.stringify({ id: `fuzz-${v}`, userId: v, chatId: v, html }))
      : fc
          .tuple(address, wrongValue)
          .map(([trader, v]) =>
            JSON.stringify({ id: 'fuzz', trader, kind: v, pairIndex: v, signal: v, decision: v }),
          );
  return fc
    .oneof(
      fc.string({ minLength: 1, maxLength: 300 }),
      fc.json({ maxDepth: 3 }).filter((j) => j.length > 0),
      fc.constantFrom('{', 'null', '[]', '"LIVE"', '{"__proto__":{"x":1}}', '1e999'),
      nearMiss,
      fc.integer({ min: 20_000, max: 200_000 }).map((n) => JSON.stringify({ html: 'y'.repeat(n) })),
    )
    .filter((body) => body.trim().length > 0 && SQS_CHARS.test(body) && refusalOf(queue, body) !== undefined);
}
