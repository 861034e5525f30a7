/** What the gateway knows about one upstream model. Prices are USD per million tokens. */
export interface ModelInfo {
  id: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  capabilities: readonly string[];
  inputPerMTok?: number;
  outputPerMTok?: number;
  cachedInputPerMTok?: number;
}
