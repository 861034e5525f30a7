export { WorkerRuntimeModule } from './worker-runtime.module';
export { startWorkerApp } from './bootstrap-worker';
