import { extname } from 'node:path';
import { convert } from 'html-to-text';
import mammoth from 'mammoth';
import { extractText } from 'unpdf';

type Extractor = (content: Buffer) => Promise<string>;

const plain: Extractor = async (content) => content.toString('utf8');

// Links and images carry no prose worth paying tokens for; keep their text only.
const html: Extractor = async (content) =>
  convert(content.toString('utf8'), {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });

const pdf: Extractor = async (content) => (await extractText(new Uint8Array(content), { mergePages: false })).text.join('\n\n');

const docx: Extractor = async (content) => (await mammoth.extractRawText({ buffer: content })).value;

const EXTRACTORS: Record<string, Extractor> = {
  '.txt': plain,
  '.md': plain,
  '.html': html,
  '.htm': html,
  '.pdf': pdf,
  '.docx': docx,
};

/** The document's text, by its extension; throws when the file cannot be parsed as that type. */
export async function documentText(path: string, content: Buffer): Promise<string> {
  const extract = EXTRACTORS[extname(path).toLowerCase()];
  if (extract === undefined) throw new Error(`unsupported document type: ${path}`);
  return (await extract(content)).trim();
}
