export { WorkerRuntimeModule } from './worker-runtime.module';
export { DirectCallsModule } from './direct-calls.module';
export { startWorkerApp } from './bootstrap-worker';
export { MAX_RATE_LIMIT_WAITS, backoffMs, nextStep, type FailedCall, type NextStep, type StepRules } from './next-step';
