import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  InvalidRequestError,
  JOB_ID_HEADER,
  JobStillRunningError,
  ModelNotFoundError,
  validateBody,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionChunkDelta,
  type FinishReason,
  type Usage,
} from '@switchyard/contracts';
import {
  anthropicEventFormat,
  AnthropicMessagesRequestDto,
  messageIdOf,
  sseFrame,
  toAnthropicError,
  toAnthropicEvents,
  toAnthropicMessage,
  toChatJobRequest,
  toChatRequest,
  type AnthropicStreamEvent,
} from '@switchyard/http';

// Fixtures follow Anthropic's documented examples (Messages, vision, tool use).
const WEATHER_SCHEMA = {
  type: 'object',
  properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } },
  required: ['location'],
};
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const ANT_IMAGE_URL = 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg';
const MESSAGE_ID = messageIdOf('job_01K0AAAAAAAAAAAAAAAAAAAAAA');

/** Validates as the controller's pipe does, then translates. */
function translate(body: Record<string, unknown>) {
  return toChatJobRequest(validateBody(AnthropicMessagesRequestDto, { model: 'claude-sonnet-4-5', max_tokens: 1024, ...body }));
}

function refused(body: Record<string, unknown>, param: string, message: RegExp): void {
  assert.throws(
    () => translate(body),
    (error: unknown) => {
      assert.ok(error instanceof InvalidRequestError, String(error));
      assert.equal(error.param, param, error.message);
      assert.match(error.message, message);
      return true;
    },
  );
}

function completion(message: ChatCompletion['choices'][number]['message'], finish: FinishReason, usage: Usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 }): ChatCompletion {
  return { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message, finish_reason: finish, logprobs: null }], usage };
}

function chunk(delta: ChatCompletionChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] };
}

function usageChunk(usage: Usage): ChatCompletionChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage };
}

async function* stream(chunks: ChatCompletionChunk[], failure?: Error): AsyncGenerator<ChatCompletionChunk> {
  yield* chunks;
  if (failure) throw failure;
}

async function events(chunks: ChatCompletionChunk[]): Promise<AnthropicStreamEvent[]> {
  const collected: AnthropicStreamEvent[] = [];
  for await (const event of toAnthropicEvents(stream(chunks), { id: MESSAGE_ID, model: 'claude-sonnet-4-5' })) collected.push(event);
  return collected;
}

/** The official SDK, answered by `body` instead of the network: proves what it makes of our output. */
function sdkAnswering(body: string, contentType: string): Anthropic {
  return new Anthropic({ apiKey: 'sk-test', baseURL: 'http://gateway.invalid', maxRetries: 0, fetch: async () => new Response(body, { headers: { 'content-type': contentType } }) });
}

const TEXT_STREAM = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Hello' }),
  chunk({ content: ' there' }),
  chunk({}, 'stop'),
  usageChunk({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }),
];

const TOOL_STREAM = [
  chunk({ role: 'assistant', content: 'Let me check.' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
  chunk({}, 'tool_calls'),
  usageChunk({ prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 }),
];

describe('Anthropic request to chat job', () => {
  it('puts the system prompt first and keeps string content as it is', () => {
    const request = translate({ system: 'You are terse.', messages: [{ role: 'user', content: 'Hello, Claude' }] });
    assert.deepEqual(request, {
      type: 'chat',
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hello, Claude' },
      ],
    });
  });

  it('joins system text blocks and drops cache_control hints', () => {
    const request = translate({
      system: [{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
    });
    assert.deepEqual(request.type === 'chat' && request.messages, [
      { role: 'system', content: 'You are terse.\nAnswer in French.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    ]);
  });

  it('turns base64 and URL images into image_url parts', () => {
    const request = translate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
            { type: 'image', source: { type: 'url', url: ANT_IMAGE_URL } },
            { type: 'text', text: 'Compare these images.' },
          ],
        },
      ],
    });
    assert.deepEqual(request.type === 'chat' && request.messages, [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
          { type: 'image_url', image_url: { url: ANT_IMAGE_URL } },
          { type: 'text', text: 'Compare these images.' },
        ],
      },
    ]);
  });

  it('maps a tool use round trip: tools, tool_use as tool_calls, tool_result as tool messages before the user text', () => {
    const request = translate({
      tools: [{ name: 'get_weather', description: 'Get the current weather in a given location', input_schema: WEATHER_SCHEMA }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'What is the weather like in San Francisco?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { location: 'San Francisco, CA' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01A', content: '15 degrees' },
            { type: 'tool_result', tool_use_id: 'toolu_01B', content: [{ type: 'text', text: 'sunny' }, { type: 'text', text: 'light wind' }], is_error: false },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
    assert.ok(request.type === 'chat');
    assert.deepEqual(request.tools, [{ type: 'function', function: { name: 'get_weather', description: 'Get the current weather in a given location', parameters: WEATHER_SCHEMA } }]);
    assert.equal(request.tool_choice, 'auto');
    assert.equal(request.parallel_tool_calls, false);
    assert.deepEqual(request.messages.slice(1), [
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'Let me check.' }],
        tool_calls: [{ id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_01A', content: '15 degrees' },
      { role: 'tool', tool_call_id: 'toolu_01B', content: 'sunny\nlight wind' },
      { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
    ]);
  });

  it('maps each tool_choice, and an assistant turn of only tool calls to null content', () => {
    const base = { tools: [{ name: 'get_weather', input_schema: WEATHER_SCHEMA }], messages: [{ role: 'user', content: 'hi' }] };
    const choiceOf = (toolChoice: unknown) => {
      const request = translate({ ...base, tool_choice: toolChoice });
      return request.type === 'chat' ? request.tool_choice : undefined;
    };
    assert.equal(choiceOf({ type: 'any' }), 'required');
    assert.equal(choiceOf({ type: 'none' }), 'none');
    assert.deepEqual(choiceOf({ type: 'tool', name: 'get_weather' }), { type: 'function', function: { name: 'get_weather' } });
    const request = translate({
      ...base,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1' }] },
      ],
    });
    assert.ok(request.type === 'chat');
    assert.equal(request.messages[1].content, null);
    assert.deepEqual(request.messages[2], { role: 'tool', tool_call_id: 'toolu_1', content: '' });
    assert.equal(request.messages.length, 3, 'a user turn of tool results only adds no empty user message');
  });

  it('carries sampling, stop sequences and metadata.user_id; drops top_k', () => {
    const request = toChatRequest(
      validateBody(AnthropicMessagesRequestDto, {
        model: 'claude-sonnet-4-5',
        max_tokens: 200,
        messages: [{ role: 'user', content: 'hi' }],
        temperature: 0.3,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ['\n\nHuman:'],
        metadata: { user_id: 'user-1234' },
        stream: true,
      }),
    );
    assert.deepEqual(request, {
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.3,
      top_p: 0.9,
      stop: ['\n\nHuman:'],
      user: 'user-1234',
    });
  });
});

describe('Anthropic request validation', () => {
  const hi = [{ role: 'user', content: 'hi' }];

  it('requires max_tokens and model, as Anthropic does', () => {
    assert.throws(() => toChatJobRequest(validateBody(AnthropicMessagesRequestDto, { model: 'm', messages: hi })), /max_tokens/);
    refused({ model: undefined, messages: hi }, 'model', /model/);
  });

  it('refuses fields the gateway does not take, naming them', () => {
    refused({ messages: hi, thinking: { type: 'enabled', budget_tokens: 1024 } }, 'thinking', /Unrecognized request argument supplied: thinking/);
    refused({ messages: hi, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools[0].type', /type/);
  });

  it('refuses blocks in the wrong role or of unknown kinds', () => {
    refused({ messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] }] }, 'messages[0].content', /\[0\]\.type must be one of: text, image, tool_result in user messages/);
    refused({ messages: [{ role: 'assistant', content: [{ type: 'image', source: { type: 'url', url: ANT_IMAGE_URL } }] }] }, 'messages[0].content', /\[0\]\.type must be one of: text, tool_use in assistant messages/);
    refused({ messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'messages[0].content', /\[0\]\.type must be one of/);
    refused({ messages: [{ role: 'system', content: 'hi' }] }, 'messages[0].role', /role/);
  });

  it('checks block fields: media types, tool input, unknown keys, empty content', () => {
    refused({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/tiff', data: PNG_BASE64 } }] }] }, 'messages[0].content', /media_type must be one of/);
    refused({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'file:///etc/passwd' } }] }] }, 'messages[0].content', /http\(s\) URL/);
    refused({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: '{}' }] }] }, 'messages[0].content', /\[0\]\.input must be a JSON object/);
    refused({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', citations: [] }] }] }, 'messages[0].content', /unknown field 'citations'/);
    refused({ messages: [{ role: 'user', content: [] }] }, 'messages[0].content', /must not be an empty array/);
    refused({ messages: [null] }, 'messages[0]', /messages\[0\]/);
  });

  it('holds the chat limits: temperature 0 to 1, at most 4 stop sequences, a tool_choice shape', () => {
    refused({ messages: hi, temperature: 1.5 }, 'temperature', /temperature/);
    refused({ messages: hi, stop_sequences: ['a', 'b', 'c', 'd', 'e'] }, 'stop_sequences', /stop_sequences/);
    refused({ messages: hi, tool_choice: { type: 'required' } }, 'tool_choice', /tool_choice: must be/);
    refused({ messages: hi, tool_choice: { type: 'tool' } }, 'tool_choice', /name must be/);
    refused({ messages: hi, tools: [{ name: 'get weather', input_schema: WEATHER_SCHEMA }] }, 'tools[0].name', /letters, digits/);
  });
});

describe('chat completion to Anthropic message', () => {
  it('answers text with end_turn and usage in Anthropic terms', () => {
    const message = toAnthropicMessage(completion({ role: 'assistant', content: 'Hi! How can I help?', refusal: null }, 'stop'), MESSAGE_ID);
    assert.deepEqual(message, {
      id: 'msg_01K0AAAAAAAAAAAAAAAAAAAAAA',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [{ type: 'text', text: 'Hi! How can I help?' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 5, cache_creation_input_tokens: null, cache_read_input_tokens: null },
    });
  });

  it('answers tool calls as tool_use blocks with parsed input and stop_reason tool_use', () => {
    const message = toAnthropicMessage(
      completion(
        {
          role: 'assistant',
          content: 'Let me check.',
          refusal: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: 'not json' } },
          ],
        },
        'tool_calls',
      ),
      MESSAGE_ID,
    );
    assert.deepEqual(message.content, [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
    ]);
    assert.equal(message.stop_reason, 'tool_use');
  });

  it('maps length to max_tokens and splits cached prompt tokens out of input_tokens', () => {
    const usage = { prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 60 } };
    const message = toAnthropicMessage(completion({ role: 'assistant', content: null, refusal: null }, 'length', usage), MESSAGE_ID);
    assert.equal(message.stop_reason, 'max_tokens');
    assert.deepEqual(message.content, []);
    assert.deepEqual(message.usage, { input_tokens: 40, output_tokens: 7, cache_creation_input_tokens: null, cache_read_input_tokens: 60 });
  });

  it('is a message the official SDK reads', async () => {
    const body = toAnthropicMessage(completion({ role: 'assistant', content: 'Bonjour', refusal: null }, 'stop'), MESSAGE_ID);
    const message = await sdkAnswering(JSON.stringify(body), 'application/json').messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(message.id, MESSAGE_ID);
    assert.deepEqual(message.content, [{ type: 'text', text: 'Bonjour' }]);
  });
});

describe('chat chunk stream to Anthropic events', () => {
  it('streams text as one text block between message_start and message_stop, usage at the end', async () => {
    assert.deepEqual(await events(TEXT_STREAM), [
      {
        type: 'message_start',
        message: {
          id: MESSAGE_ID,
          type: 'message',
          role: 'assistant',
          model: 'gpt-4o-mini',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: null, cache_read_input_tokens: null },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' there' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { input_tokens: 10, output_tokens: 2, cache_creation_input_tokens: null, cache_read_input_tokens: null },
      },
      { type: 'message_stop' },
    ]);
  });

  it('streams tool calls as tool_use blocks with input_json_delta, each closing the block before it', async () => {
    const types = (await events(TOOL_STREAM)).map((event) => {
      if (event.type === 'content_block_start') return `start ${event.index} ${event.content_block.type}`;
      if (event.type === 'content_block_delta') return `delta ${event.index} ${event.delta.type === 'text_delta' ? event.delta.text : event.delta.partial_json}`;
      if (event.type === 'content_block_stop') return `stop ${event.index}`;
      if (event.type === 'message_delta') return `message_delta ${event.delta.stop_reason}`;
      return event.type;
    });
    assert.deepEqual(types, [
      'message_start',
      'start 0 text',
      'delta 0 Let me check.',
      'stop 0',
      'start 1 tool_use',
      'delta 1 {"location":',
      'delta 1 "Paris"}',
      'stop 1',
      'start 2 tool_use',
      'delta 2 {}',
      'stop 2',
      'message_delta tool_use',
      'message_stop',
    ]);
  });

  it('handles a whole message in one chunk (a cached answer) with text and calls together', async () => {
    const whole = [
      chunk({ role: 'assistant', content: 'Sure.', refusal: null, tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Oslo"}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 }),
    ];
    const starts = (await events(whole)).flatMap((event) => (event.type === 'content_block_start' ? [event.content_block] : []));
    assert.deepEqual(starts, [
      { type: 'text', text: '' },
      { type: 'tool_use', id: 'call_9', name: 'get_weather', input: {} },
    ]);
  });

  it('still opens and closes the message when no chunk came', async () => {
    const all = await events([]);
    assert.deepEqual(
      all.map((event) => event.type),
      ['message_start', 'message_delta', 'message_stop'],
    );
    assert.equal(all[0].type === 'message_start' && all[0].message.model, 'claude-sonnet-4-5');
  });

  it('passes a failure mid-stream on to the caller, after what was already translated', async () => {
    const seen: string[] = [];
    const translated = toAnthropicEvents(stream(TEXT_STREAM.slice(0, 2), new JobStillRunningError('job_x', 1)), { id: MESSAGE_ID, model: 'm' });
    await assert.rejects(async () => {
      for await (const event of translated) seen.push(event.type);
    }, JobStillRunningError);
    assert.deepEqual(seen, ['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('writes SSE frames that the official SDK assembles into the message the non-streamed path answers', async () => {
    const sse = (await events(TOOL_STREAM)).map(sseFrame).join('');
    assert.ok(sse.startsWith(`event: message_start\ndata: {"type":"message_start"`), sse.slice(0, 80));
    const final = await sdkAnswering(sse, 'text/event-stream')
      .messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    const whole = toAnthropicMessage(
      completion(
        {
          role: 'assistant',
          content: 'Let me check.',
          refusal: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        'tool_calls',
        { prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 },
      ),
      MESSAGE_ID,
    );
    assert.deepEqual(JSON.parse(JSON.stringify(final.content)), whole.content);
    assert.equal(final.stop_reason, whole.stop_reason);
    assert.equal(final.usage.input_tokens, 30);
    assert.equal(final.usage.output_tokens, 9);
  });
});

describe('errors in Anthropic shape', () => {
  it('keeps the gateway status and headers and names the Anthropic error type', () => {
    assert.deepEqual(toAnthropicError(new InvalidRequestError('messages: bad')), {
      status: 400,
      headers: {},
      body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: bad' } },
    });
    const notFound = toAnthropicError(new ModelNotFoundError('claude-nope'));
    assert.equal(notFound.status, 404);
    assert.equal(notFound.body.error.type, 'not_found_error');
    const waited = toAnthropicError(new JobStillRunningError('job_01K0AAAAAAAAAAAAAAAAAAAAAA', 300));
    assert.equal(waited.status, 504);
    assert.equal(waited.body.error.type, 'timeout_error');
    assert.equal(waited.headers[JOB_ID_HEADER], 'job_01K0AAAAAAAAAAAAAAAAAAAAAA');
  });

  it('answers an unexpected error as a 500 api_error without its details', () => {
    const answer = toAnthropicError(new Error('redis password is hunter2'));
    assert.equal(answer.status, 500);
    assert.equal(answer.body.error.type, 'api_error');
    assert.doesNotMatch(answer.body.error.message, /hunter2/);
  });

  it('ends a stream that fails after its first events with an `error` event the SDK raises as its error', async () => {
    const format = anthropicEventFormat((error) => toAnthropicError(error).body);
    const started = (await events(TEXT_STREAM)).slice(0, 3).map((event) => format.event(event));
    const sse = [...started, format.error(new JobStillRunningError('job_01K0AAAAAAAAAAAAAAAAAAAAAA', 300))].join('');
    const stream = sdkAnswering(sse, 'text/event-stream').messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    await assert.rejects(stream.finalMessage(), (error: unknown) => {
      assert.ok(error instanceof Anthropic.APIError, String(error));
      assert.equal(error.type, 'timeout_error');
      assert.match(error.message, /still running/);
      return true;
    });
  });

  it('frames an error as an `error` event', () => {
    assert.equal(sseFrame(toAnthropicError(new ModelNotFoundError('x')).body), `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: new ModelNotFoundError('x').message } })}\n\n`);
  });
});
