// A small XML reader and the attribute escaping the IR writer uses. It reads what IR files
// hold — elements, attributes, comments, processing instructions and character data —
// into a tree of elements (character data is kept as `text`). No DTDs, no namespaces.
//   const root = parseXml('<net version="11"><layers/></net>'); root.attrs.version === '11'

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string, where: () => string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (_, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const e = ENTITIES[ref];
    if (e === undefined) throw new Error(`${where()}: unknown XML entity &${ref};`);
    return e;
  });
}

/** Escapes text for an attribute value in double quotes (or character data). */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** Parses an XML document and returns its root element; malformed input throws with a position. */
export function parseXml(text: string): XmlElement {
  let pos = 0;
  const fail = (msg: string): never => {
    const line = text.slice(0, pos).split('\n').length;
    throw new Error(`XML line ${line}: ${msg}`);
  };
  const at = (): string => `XML line ${text.slice(0, pos).split('\n').length}`;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const nameRe = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
  const readName = (): string => {
    nameRe.lastIndex = pos;
    const m = nameRe.exec(text);
    if (!m) return fail('expected a name');
    pos = nameRe.lastIndex;
    return m[0];
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    if (lt < 0) {
      if (text.slice(pos).trim()) fail('text after the root element');
      break;
    }
    if (lt > pos) {
      const chunk = text.slice(pos, lt);
      if (stack.length > 0) stack[stack.length - 1].text += decodeEntities(chunk, at);
      else if (chunk.trim()) fail('text outside the root element');
    }
    pos = lt;
    if (text.startsWith('<!--', pos)) {
      const end = text.indexOf('-->', pos + 4);
      if (end < 0) fail('unterminated comment');
      pos = end + 3;
    } else if (text.startsWith('<?', pos)) {
      const end = text.indexOf('?>', pos + 2);
      if (end < 0) fail('unterminated processing instruction');
      pos = end + 2;
    } else if (text.startsWith('<![CDATA[', pos)) {
      const end = text.indexOf(']]>', pos + 9);
      if (end < 0) fail('unterminated CDATA section');
      if (stack.length > 0) stack[stack.length - 1].text += text.slice(pos + 9, end);
      pos = end + 3;
    } else if (text.startsWith('<!', pos)) {
      const end = text.indexOf('>', pos + 2);
      if (end < 0) fail('unterminated declaration');
      pos = end + 1;
    } else if (text.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      skipSpace();
      if (text[pos] !== '>') fail(`expected ">" after </${name}`);
      pos++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`</${name}> does not close <${open?.name ?? ''}>`);
    } else {
      pos++;
      const element: XmlElement = { name: readName(), attrs: {}, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) fail('more than one root element');
      else root = element;
      for (;;) {
        skipSpace();
        if (text.startsWith('/>', pos)) {
          pos += 2;
          break;
        }
        if (text[pos] === '>') {
          pos++;
          stack.push(element);
          break;
        }
        const attr = readName();
        skipSpace();
        if (text[pos] !== '=') fail(`attribute ${attr} has no value`);
        pos++;
        skipSpace();
        const quote = text[pos];
        if (quote !== '"' && quote !== "'") fail(`attribute ${attr}: value must be quoted`);
        const end = text.indexOf(quote, pos + 1);
        if (end < 0) fail(`attribute ${attr}: unterminated value`);
        if (Object.hasOwn(element.attrs, attr)) fail(`attribute ${attr} appears twice`);
        element.attrs[attr] = decodeEntities(text.slice(pos + 1, end), at);
        pos = end + 1;
      }
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1].name}> is not closed`);
  if (!root) fail('no root element');
  return root!;
}

/** The first child element named `name`. */
export function xmlChild(e: XmlElement, name: string): XmlElement | undefined {
  return e.children.find((c) => c.name === name);
}

/** Every child element named `name`. */
export function xmlChildren(e: XmlElement, name: string): XmlElement[] {
  return e.children.filter((c) => c.name === name);
}
