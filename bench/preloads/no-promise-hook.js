'use strict';
/**
 * NODE_OPTIONS="-r ./bench/preloads/no-promise-hook.js": the SDK's workflow promise hook, which takes a
 * source-mapped stack for every promise a workflow makes (for the stack-trace query), is never
 * installed. What a run gains with it is what the hook costs. Worker threads inherit the preload.
 */
const { onGlobalHandlers } = require('./sdk-workflow-hooks');

onGlobalHandlers((GlobalHandlers) => {
  GlobalHandlers.prototype.setPromiseHook = function setPromiseHook() {};
});
