'use strict';
/**
 * NODE_OPTIONS="-r ./bench/preloads/workflow-promises.js": in place of the SDK's workflow promise hook,
 * one that takes the same stack for every promise a workflow makes (so the cost is alike) and counts
 * the promises by the nearest two frames of workflow code on it. Each workflow thread writes its
 * counts every second, and as it ends, to $WORKFLOW_PROMISES_DIR (default the temp dir), promises-PID-THREAD.txt.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const { setInterval } = require('node:timers');
const { threadId } = require('node:worker_threads');
const { onGlobalHandlers, globalOf, activatorOf } = require('./sdk-workflow-hooks');

const counts = new Map();
let total = 0;
/** A frame of workflow code: the product's workflows and domain, or the bench's baseline workflow. */
const WORKFLOW_FRAME = /\/(workflows|domain)\/[^)]*\)/;

function count(promise) {
  if (!activatorOf(promise)) return;
  total += 1;
  const ErrorInWorkflow = globalOf(promise, 'Error');
  const frames = (new ErrorInWorkflow().stack ?? '').split('\n').slice(1);
  const ours = frames
    .filter((frame) => WORKFLOW_FRAME.test(frame) && !frame.includes('node_modules'))
    .slice(0, 2)
    .map((frame) => frame.trim().replace(/\(.*?\/((workflows|domain)\/[^)]*)\)/, '($1)'));
  const key = ours.length > 0 ? ours.join(' < ') : '(the SDK alone)';
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

onGlobalHandlers((GlobalHandlers) => {
  GlobalHandlers.prototype.setPromiseHook = function setPromiseHook() {
    v8.promiseHooks.createHook({ init: count });
  };
  const file = path.join(process.env.WORKFLOW_PROMISES_DIR ?? os.tmpdir(), `promises-${process.pid}-${threadId}.txt`);
  const write = () => {
    const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${n}\t${key}`);
    fs.writeFileSync(file, [`total\t${total}`, ...lines].join('\n') + '\n');
  };
  // Every second for a process that is killed, and once more as a thread or process ends.
  setInterval(write, 1000).unref();
  process.on('exit', write);
});
