import type { DataConverter } from '@temporalio/common';
import type { MasterKeys } from './master-keys';
import { createPayloadCodec, type Compression } from './payload-codec';

/** Workflows load the failure converter by path (they run in a sandbox); bundles must name it too. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** The one data converter of every Temporal client and worker: every payload and failure encrypted. */
export function createDataConverter(keys: MasterKeys, compression?: Compression): DataConverter {
  return {
    payloadCodecs: [createPayloadCodec(keys, 'refuse', compression)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
