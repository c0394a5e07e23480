// Preloaded (node --require) into every process the bench starts: if the bench itself dies
// without cleaning up (SIGKILL), the child notices that its parent changed and exits.
'use strict';
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(2);
}, 500).unref();
