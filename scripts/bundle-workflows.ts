import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleOnboardingWorkflows } from '../worker/workflow-bundle';

/** Prebuilds the workflow bundle at `npm run build`, so that `npm start` does not spend seconds on webpack. */
export const PREBUILT_BUNDLE = path.join(__dirname, '..', 'workflow-bundle.js');

async function main(): Promise<void> {
  const { code } = await bundleOnboardingWorkflows();
  await writeFile(PREBUILT_BUNDLE, code);
  console.log(
    `workflow bundle written to ${path.relative(process.cwd(), PREBUILT_BUNDLE)} (${Math.round(code.length / 1024)} KiB)`,
  );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
