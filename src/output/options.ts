import type { DecodeChoice } from '../protocol/decode.js';
import type { JsonLayout } from '../protocol/json-format.js';

/** How output is shown (SPEC "What is shown"); resolved once from the command line. */
export interface OutputOptions {
  verbose: number;
  showPingPong: boolean;
  timestamps: boolean;
  pretty?: boolean;
  json: boolean;
  quiet: boolean;
  color: boolean;
  binaryOutput: 'raw' | 'hex' | 'base64';
  /** connect's `--summary`. */
  summary?: boolean;
  separator: string;
  maxDisplay: number;
  /** `--max-text`: pretty mode shows this many bytes of a text message (0: all). */
  maxText?: number;
  /** `--format json=…`: how pretty mode lays out JSON text (`off`: as it came). */
  jsonLayout?: JsonLayout | 'off';
  /** `--filter` (any of them matches) and `--filter-out` (none matches): received messages shown. */
  filter?: readonly string[];
  filterOut?: readonly string[];
  /** `--decode`: received binary payloads decoded for display. */
  decode?: DecodeChoice;
  /** Decompression stops here (`--max-payload`). */
  decodeLimit?: number;
  showSecrets: boolean;
  debug: boolean;
}
