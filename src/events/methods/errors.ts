// The event.* family's answer to the events module's error kinds.
import type { EventsErrorKind } from '../errors.js';
import type { TranslationTable } from '../../rest/translation.js';

export const EVENT_ERRORS: TranslationTable<EventsErrorKind> = {
  handlerAlreadyBound: { key: 'EVENT_HANDLER_ALREADY_BOUND' },
};
