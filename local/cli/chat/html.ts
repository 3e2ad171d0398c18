// Telegram's HTML parse mode, read the way a client does: plain text plus entities (for real-shaped
// updates), or text styled for a terminal (ANSI, or none) for the chat CLI's output.

/** A Telegram MessageEntity, offsets and lengths in UTF-16 code units as in the Bot API. */
export interface MessageEntity {
  readonly type: string;
  readonly offset: number;
  readonly length: number;
  readonly url?: string;
}

type Token =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'open'; readonly tag: string; readonly href?: string }
  | { readonly kind: 'close'; readonly tag: string };

/** Tag names Telegram accepts, mapped to their entity types. */
const ENTITY_OF: Readonly<Record<string, string>> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  code: 'code',
  pre: 'pre',
  a: 'text_link',
  'tg-spoiler': 'spoiler',
  blockquote: 'blockquote',
};

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the entities Telegram knows (&lt; &gt; &amp; &quot;) and numeric ones; others stay as typed. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

function hrefOf(attributes: string): string | undefined {
  const m = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attributes);
  const raw = m?.[1] ?? m?.[2] ?? m?.[3];
  return raw === undefined ? undefined : decodeEntities(raw);
}

function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  const tag = /<(\/?)([a-z][a-z0-9-]*)([^>]*)>/gi;
  let last = 0;
  for (let m = tag.exec(html); m !== null; m = tag.exec(html)) {
    if (m.index > last) tokens.push({ kind: 'text', text: decodeEntities(html.slice(last, m.index)) });
    last = m.index + m[0].length;
    const name = (m[2] ?? '').toLowerCase();
    // <span class="tg-spoiler"> is the other spelling of <tg-spoiler>; other spans carry nothing.
    const effective = name === 'span' && /tg-spoiler/.test(m[3] ?? '') ? 'tg-spoiler' : name;
    if (m[1] === '/') tokens.push({ kind: 'close', tag: effective });
    else {
      const href = effective === 'a' ? hrefOf(m[3] ?? '') : undefined;
      tokens.push({ kind: 'open', tag: effective, ...(href === undefined ? {} : { href }) });
    }
  }
  if (last < html.length) tokens.push({ kind: 'text', text: decodeEntities(html.slice(last)) });
  return tokens;
}

/** The plain text and entities Telegram would deliver for a message sent with parse_mode HTML. */
export function parseHtml(html: string): { text: string; entities: MessageEntity[] } {
  let text = '';
  const entities: MessageEntity[] = [];
  const open: { tag: string; start: number; href?: string }[] = [];
  for (const token of tokenize(html)) {
    if (token.kind === 'text') text += token.text;
    else if (token.kind === 'open') {
      open.push({ tag: token.tag, start: text.length, ...(token.href ? { href: token.href } : {}) });
    } else {
      const at = open.map((o) => o.tag).lastIndexOf(token.tag);
      if (at < 0) continue;
      const [entry] = open.splice(at, 1);
      const type = entry ? ENTITY_OF[entry.tag] : undefined;
      if (!entry || !type || text.length === entry.start) continue;
      if (type === 'text_link' && !entry.href) continue;
      entities.push({
        type,
        offset: entry.start,
        length: text.length - entry.start,
        ...(type === 'text_link' ? { url: entry.href } : {}),
      });
    }
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

export type Style = 'plain' | 'ansi';

const ESC = '\u001b';
const ANSI_SGR = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

const SGR: Readonly<Record<string, string>> = {
  bold: '1',
  italic: '3',
  underline: '4',
  strikethrough: '9',
  code: '36',
  pre: '36',
  text_link: '4;34',
  spoiler: '2',
  blockquote: '2',
};

/**
 * The message as a terminal shows it: tags become ANSI styles (or nothing), entities are decoded, and
 * a link whose text is not its address is followed by the address in parentheses.
 */
export function htmlToTerminal(html: string, style: Style): string {
  let out = '';
  const open: { tag: string; href?: string; linkText: string }[] = [];
  const restyle = () => {
    if (style === 'plain') return '';
    const codes = open.map((o) => SGR[ENTITY_OF[o.tag] ?? '']).filter((c): c is string => Boolean(c));
    return `${ESC}[0m${codes.map((c) => `${ESC}[${c}m`).join('')}`;
  };
  for (const token of tokenize(html)) {
    if (token.kind === 'text') {
      out += token.text;
      for (const o of open) if (o.tag === 'a') o.linkText += token.text;
    } else if (token.kind === 'open') {
      open.push({ tag: token.tag, linkText: '', ...(token.href ? { href: token.href } : {}) });
      out += restyle();
    } else {
      const at = open.map((o) => o.tag).lastIndexOf(token.tag);
      if (at < 0) continue;
      const [entry] = open.splice(at, 1);
      out += restyle();
      if (entry?.href && entry.href !== entry.linkText && !entry.href.startsWith('tg://')) {
        out += ` (${entry.href})`;
      }
    }
  }
  // Unclosed tags must not bleed into the next line of the terminal.
  return style === 'ansi' && out.includes(`${ESC}[`) ? `${out}${ESC}[0m` : out;
}

/** Visible width of a terminal string: without ANSI sequences, one column per code point. */
export function visibleLength(text: string): number {
  return [...stripAnsi(text)].length;
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI_SGR, '');
}
