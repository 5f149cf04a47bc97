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
  showSecrets: boolean;
  debug: boolean;
}
