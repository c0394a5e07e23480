// guest.js: the guest module alone (tracker-and-calls.md §1.2).
import { startGuest } from './guest';

startGuest();
