import type { ChatMessage, FunctionTool, ResponseFormat } from '@switchyard/contracts';

/**
 * Request fixtures from OpenAI's documentation (Chat Completions API reference, function calling,
 * vision and structured outputs guides), shared by the wire tests of the families that speak
 * OpenAI's format (openai, azure-openai, openai-compatible).
 */

export const SYSTEM_PROMPT = 'You are a helpful assistant.';

/** The multi-turn example of the chat guide. */
export const WORLD_SERIES_TURNS: ChatMessage[] = [
  { role: 'system', content: SYSTEM_PROMPT },
  { role: 'user', content: 'Who won the world series in 2020?' },
  { role: 'assistant', content: 'The Los Angeles Dodgers won the World Series in 2020.' },
  { role: 'user', content: 'Where was it played?' },
];

export const IMAGE_URL =
  'https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg';

/** A 1x1 PNG, for the base64 form of an image part. */
export const IMAGE_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export function imageMessage(text: string): ChatMessage {
  return {
    role: 'user',
    content: [
      { type: 'text', text },
      { type: 'image_url', image_url: { url: IMAGE_URL } },
      { type: 'image_url', image_url: { url: IMAGE_DATA_URL, detail: 'low' } },
    ],
  };
}

/** The function-calling guide's weather tool. */
export const WEATHER_TOOL: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'Get the current weather in a given location',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['location'],
    },
  },
};

export const WEATHER_ARGUMENTS = '{"location":"Boston, MA"}';

/** The turn after the model called the tool: its call, then the tool's result. */
export function toolResultTurns(question: string, callId: string): ChatMessage[] {
  return [
    { role: 'user', content: question },
    { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: 'get_current_weather', arguments: WEATHER_ARGUMENTS } }] },
    { role: 'tool', tool_call_id: callId, content: '{"temperature": "22", "unit": "celsius", "description": "Sunny"}' },
  ];
}

/** The structured outputs guide's calendar event. */
export const CALENDAR_EVENT_FORMAT: ResponseFormat = {
  type: 'json_schema',
  json_schema: {
    name: 'calendar_event',
    strict: true,
    schema: {
      type: 'object',
      properties: { name: { type: 'string' }, date: { type: 'string' }, participants: { type: 'array', items: { type: 'string' } } },
      required: ['name', 'date', 'participants'],
      additionalProperties: false,
    },
  },
};

export const CALENDAR_EVENT_JSON = '{"name":"science fair","date":"Friday","participants":["Alice","Bob"]}';

/** The embeddings API reference's input. */
export const EMBEDDING_INPUT = 'The food was delicious and the waiter...';
