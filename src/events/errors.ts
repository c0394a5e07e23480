// What the events module refuses, as DomainError kinds (translated in methods/errors.ts).
import { DomainError } from '../domainError.js';

export type EventsErrorKind = 'handlerAlreadyBound';

export class EventsError extends DomainError<EventsErrorKind> {}
