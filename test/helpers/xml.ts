// A strict check that a `.xml` answer is a well-formed XML 1.0 document (no XML parser is
// installed): for the XML output tests and the fuzz suite.

/** XML 1.0 `Char`: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * A strict well-formedness check for what the encoder writes (elements, text, the five
 * predefined entities and character references; no attributes, comments or declarations):
 * throws on the first violation.
 */
export function assertWellFormed(xml: string): void {
  const forbidden = NOT_XML_CHAR.exec(xml);
  if (forbidden) throw new Error(`U+${forbidden[0].codePointAt(0)!.toString(16)} is not an XML 1.0 character at ${forbidden.index}`);
  const open: string[] = [];
  const token = /<(\/?)([A-Za-z_][\w.-]*)>|&(?:lt|gt|amp|quot|apos|#\d+|#x[\da-fA-F]+);|[^<&]+|[\s\S]/gy;
  let match: RegExpExecArray | null;
  let rootClosed = false;
  while ((match = token.exec(xml))) {
    const [text, closing, name] = match;
    if (rootClosed) throw new Error(`content after the root element: ${JSON.stringify(text)}`);
    if (name !== undefined) {
      if (!closing) open.push(name);
      else if (open.pop() !== name) throw new Error(`</${name}> does not close the open element`);
      if (closing && open.length === 0) rootClosed = true;
    } else if (text === '<' || text === '&') {
      throw new Error(`a raw ${text} at ${match.index}`);
    } else if (open.length === 0) {
      throw new Error(`text outside the root element: ${JSON.stringify(text)}`);
    }
  }
  if (!rootClosed) throw new Error('the root element is not closed');
}
