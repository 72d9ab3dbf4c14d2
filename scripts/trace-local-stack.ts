import { traceProcessIfAsked } from '../lib/tracing';

/**
 * `npm start`'s first import: traces, when OTEL_EXPORTER_OTLP_ENDPOINT asks for them, start before anything
 * loads http, express or pg (the instrumentations can only patch what is loaded after them).
 */
traceProcessIfAsked('gangway', process.env);
