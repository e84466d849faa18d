// Types generated from the OpenAPI document by openapi-typescript (precis.d.ts, beside this
// file when tests/test_client_contract.py runs tsc --noEmit on it). It compiles only if the
// document describes what a TypeScript client relies on; each @ts-expect-error line fails
// the check if the document stops stating that rule.
import type { components, operations, paths } from "./precis";

type Schemas = components["schemas"];
type SummarizeRequest = Schemas["SummarizeRequest"];
type SummarizeResponse = paths["/v1/summarize"]["post"]["responses"][200]["content"]["application/json"];

const request: SummarizeRequest = { text: "The council approved the budget on Tuesday.", length: "short" };
const withPurpose: SummarizeRequest = { html: "<p>The council approved the budget.</p>", purpose: "social" };

function firstSentence(answer: SummarizeResponse): string {
  const summary: string = answer.summary;
  const support: number = answer.sentences[0].support[0].index;
  return `${summary} ${support} ${answer.model.name} ${answer.timing_ms.total} ${answer.request_id}`;
}

// @ts-expect-error length is one of short, medium, long
const badLength: SummarizeRequest = { text: "x", length: "huge" };
// @ts-expect-error no field outside the schema (additionalProperties: false)
const extraField: SummarizeRequest = { text: "x", colour: "red" };

type Problem = Schemas["Problem"];
const problemStatus = (problem: Problem): number => problem.status;
type BadRequest = operations["summarize"]["responses"][422]["content"]["application/problem+json"];

type Batch = operations["summarizeBatch"]["requestBody"]["content"]["application/json"];
const batch: Batch = { items: [{ id: "a", text: "One. Two." }] };
type BatchAnswer = operations["summarizeBatch"]["responses"][200]["content"]["application/json"];
const itemStatus = (answer: BatchAnswer): number => answer.items[0].status;

type Job = operations["createJob"]["responses"][202]["content"]["application/json"];
const jobStatus = (job: Job): "queued" | "running" | "succeeded" | "failed" | "cancelled" => job.status;
type JobPath = operations["getJob"]["parameters"]["path"];
const jobPath: JobPath = { job_id: "0123456789abcdef0123456789abcdef" };
type Cancelled = operations["cancelJob"]["responses"][200]["content"]["application/json"];
type Query = NonNullable<operations["summarize"]["parameters"]["query"]>;
const query: Query = { max_sentences: 2, format: "bullets" };
type Metrics = operations["metrics"]["responses"][200]["content"]["text/plain"];
const metricsText: Metrics = "precis_http_requests_total 1";

export {
  request,
  withPurpose,
  firstSentence,
  badLength,
  extraField,
  problemStatus,
  batch,
  itemStatus,
  jobStatus,
  jobPath,
  query,
  metricsText,
};
export type { BadRequest, Cancelled };
