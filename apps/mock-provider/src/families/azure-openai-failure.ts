import type { FailureOptions, FamilyFailure } from '../mock-call';

/**
 * Azure OpenAI's failures as its service writes them: `{"error": {"code", "message"}}` from the
 * gateway in front of the model (auth, quota, unknown deployment or version), OpenAI's own shape for
 * what the model endpoint refuses (validation, context length), and its content filter's body.
 */

const ACCESS_DENIED =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';

/** Azure's documented refusal of a prompt its content filter flagged. */
function contentFilterBody(): unknown {
  return {
    error: {
      message:
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
      type: null,
      param: 'prompt',
      code: 'content_filter',
      status: 400,
      innererror: {
        code: 'ResponsibleAIPolicyViolation',
        content_filter_result: {
          hate: { filtered: true, severity: 'high' },
          self_harm: { filtered: false, severity: 'safe' },
          sexual: { filtered: false, severity: 'safe' },
          violence: { filtered: true, severity: 'medium' },
        },
      },
    },
  };
}

function contextLengthBody(): unknown {
  return {
    error: {
      message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130532 tokens. Please reduce the length of the messages.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    },
  };
}

function rateLimited(operation: string, apiVersion: string, retryAfterS: number | undefined): FamilyFailure {
  const wait = retryAfterS === undefined ? '' : ` Please retry after ${Math.ceil(retryAfterS)} seconds.`;
  const headers: Record<string, string> = { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '0' };
  if (retryAfterS !== undefined) {
    headers['retry-after'] = String(Math.ceil(retryAfterS));
    headers['retry-after-ms'] = String(Math.round(retryAfterS * 1000));
  }
  const message = `Requests to the ${operation} Operation under Azure OpenAI API version ${apiVersion} have exceeded token rate limit of your current OpenAI S0 pricing tier.${wait}`;
  return { status: 429, headers, body: { error: { code: '429', message } } };
}

/** The gateway's `{code, message}` bodies by status. */
const GATEWAY_ERRORS: Readonly<Record<number, { code: string; message: string }>> = {
  401: { code: '401', message: ACCESS_DENIED },
  404: {
    code: 'DeploymentNotFound',
    message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
  },
  500: { code: 'InternalServerError', message: 'Backend returned unexpected response. Please contact Microsoft for help.' },
  503: { code: 'ServiceUnavailable', message: 'The service is temporarily unable to process your request. Please try again later.' },
};

/** Azure's error for an operation (`ChatCompletions_Create`, `Embeddings_Create`) under an api-version. */
export function azureOpenAIFailure(operation: string, apiVersion: string) {
  return (status: number, options: FailureOptions): FamilyFailure => {
    if (status === 429) return rateLimited(operation, apiVersion, options.retryAfterS);
    if (status === 400 && options.code === 'content_filter') return { status, headers: {}, body: contentFilterBody() };
    if (status === 400 && options.code === 'context_length_exceeded') return { status, headers: {}, body: contextLengthBody() };
    const gateway = GATEWAY_ERRORS[status];
    if (gateway) return { status, headers: {}, body: { error: gateway } };
    const message = options.message ?? `Simulated failure: the mock was told to answer ${status}.`;
    if (status < 500) return { status, headers: {}, body: { error: { message, type: 'invalid_request_error', param: null, code: options.code ?? null } } };
    return { status, headers: {}, body: { error: { code: String(status), message } } };
  };
}

/** What Azure answers a call without `api-version` (it does not say 400; the route simply does not exist). */
export const MISSING_API_VERSION: FamilyFailure = { status: 404, headers: {}, body: { error: { code: '404', message: 'Resource not found' } } };

export const UNSUPPORTED_API_VERSION: FamilyFailure = { status: 400, headers: {}, body: { error: { code: 'BadRequest', message: 'API version not supported' } } };
