import type { ChatCompletion, JobObject } from '@switchyard/contracts';
import { formatCost, formatTime } from '../output';

function resultText(job: JobObject): string {
  const result = job.result;
  if (result === null) return '';
  if (result.object === 'list') return `(${result.data.length} embedding vector${result.data.length === 1 ? '' : 's'})`;
  return (result as ChatCompletion).choices.map((choice) => choice.message.content ?? JSON.stringify(choice.message.tool_calls ?? [])).join('\n');
}

/** A job for a person: a summary line, then the answer or the error. */
export function describeJob(job: JobObject): string {
  const route = job.provider === null ? '' : ` via ${job.provider}/${job.provider_model ?? '?'}`;
  const usage = job.usage === null ? '' : `  ${job.usage.prompt_tokens} in / ${job.usage.completion_tokens} out tokens`;
  const cost = formatCost(job.cost_usd);
  const lines = [`${job.id}  ${job.status}  ${job.model}${route}${usage}${cost && `  ${cost}`}  created ${formatTime(job.created_at)}`];
  if (job.error !== null) lines.push(`error: ${job.error.message}${job.error.code === null ? '' : ` (${job.error.code})`}`);
  const text = resultText(job);
  if (text !== '') lines.push('', text);
  return lines.join('\n');
}
