// call.tracker.js: the guest module, then the tracker with the inlined configuration (§1.2).
import { startGuest } from './guest';
import { startTracker } from './tracker';
import { pack } from './webpacker';

startGuest();
if (pack.tracker) startTracker(pack.tracker);
