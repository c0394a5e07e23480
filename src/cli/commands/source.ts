// `salestrace source list|add|update|delete|settings`: Sales Intelligence sources from the
// command line, through the same service as the salestrace.source.* methods.
import { Command } from 'commander';
import type { ErrorDetails } from '../../domainError.js';
import type { Services } from '../../services.js';
import { TrackingError, type TrackingErrorKind } from '../../tracking/errors.js';
import { REGIONS } from '../../tracking/settings.js';
import { isAvailable, type Region, type ValueKind } from '../../tracking/sourceCatalog.js';
import type { SourceChanges } from '../../tracking/sources.js';
import { addDataOption, parseIdOption, printTable, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const VALUE_OPTIONS: [ValueKind, string, string][] = [
  ['UTM_SOURCE', '--utm-source <value>', 'a utm_source value that identifies the source'],
  ['REF_DOMAIN', '--ref-domain <host>', 'a referrer domain that identifies the source'],
  ['PHONE', '--phone <number>', 'a phone number of the source'],
  ['EMAIL', '--email <address>', 'an e-mail address of the source'],
];

const OPTION_KEYS: Record<ValueKind, string> = { UTM_SOURCE: 'utmSource', REF_DOMAIN: 'refDomain', PHONE: 'phone', EMAIL: 'email' };

function withValueOptions(command: Command): Command {
  for (const [, flags, description] of VALUE_OPTIONS) {
    command.option(flags, `${description}; repeat for several, give "" to clear`, collect);
  }
  return command;
}

function valueChanges(options: Record<string, unknown>): SourceChanges['values'] {
  const values: Partial<Record<ValueKind, string[]>> = {};
  for (const [kind] of VALUE_OPTIONS) {
    const given = options[OPTION_KEYS[kind]];
    if (Array.isArray(given)) values[kind] = given as string[];
  }
  return values;
}

/** What the command says for each refusal of the source service; a command parses no TRACE. */
const SOURCE_MESSAGES: Record<TrackingErrorKind, ((details: ErrorDetails) => string) | undefined> = {
  traceInvalidJson: undefined,
  traceTooLarge: undefined,
  traceTooDeep: undefined,
  sourceNotFound: ({ id }) => `Source with ID \`${id}\` not found.`,
  sourceBuiltIn: ({ code }) => `Source ${code} is built in and cannot be deleted; archive it instead.`,
  sourceValueTooLong: ({ field, limit }) => `A ${field} value is longer than ${limit} characters.`,
  sourceDomainInvalid: ({ value }) => `"${value}" is not a domain name.`,
  sourcePhoneInvalid: ({ value }) => `"${value}" is not a phone number.`,
  sourceEmailInvalid: ({ value }) => `"${value}" is not an e-mail address.`,
  sourceNameEmpty: () => 'The source name must not be empty.',
  sourceNameTooLong: ({ limit }) => `The source name is longer than ${limit} characters.`,
  sourceNameRequired: () => 'The source name is required.',
};

/** withServices, with the source service's refusals told in words. */
async function withSourceServices<T>(io: CliIo, options: Record<string, unknown>, run: (services: Services) => Promise<T>): Promise<T> {
  try {
    return await withServices(io, options, run);
  } catch (error) {
    const message = error instanceof TrackingError ? SOURCE_MESSAGES[error.kind]?.(error.details) : undefined;
    throw message === undefined ? error : new Error(message);
  }
}

function parseFlag(name: string, text: string): boolean {
  const lower = text.toLowerCase();
  if (['y', 'yes', 'on', 'true', '1'].includes(lower)) return true;
  if (['n', 'no', 'off', 'false', '0'].includes(lower)) return false;
  throw new Error(`${name} must be on or off, got "${text}"`);
}

export function sourceCommand(io: CliIo): Command {
  const source = new Command('source').description('manage Sales Intelligence sources');

  addDataOption(source.command('list').description('list sources in matching order')).action(async (options) => {
    await withSourceServices(io, options, async (services) => {
      const settings = await services.tracking.settings();
      const sources = await services.tracking.sources();
      printTable(
        io,
        sources.map((s) => ({
          ID: s.id,
          CODE: s.code ?? '',
          NAME: s.name,
          ACTIVE: s.active ? 'Y' : 'N',
          AVAILABLE: isAvailable(s, settings) ? 'Y' : 'N',
          UTM_SOURCE: s.values.UTM_SOURCE.join(','),
          REF_DOMAIN: s.values.REF_DOMAIN.join(','),
          PHONE: s.values.PHONE.join(','),
          EMAIL: s.values.EMAIL.join(','),
        })),
      );
      printLine(io, `region: ${settings.region}; social referrer domains: ${settings.socialReferrers ? 'on' : 'off'}`);
    });
  });

  addDataOption(
    withValueOptions(source.command('add').description('add a custom source').requiredOption('--name <name>', 'display name').option('--inactive', 'add it archived', false)),
  ).action(async (options) => {
    await withSourceServices(io, options, async (services) => {
      const id = await services.tracking.addSource({ name: options.name, active: !options.inactive, values: valueChanges(options) });
      printLine(io, `source ${id} added`);
    });
  });

  addDataOption(
    withValueOptions(
      source
        .command('update')
        .description('change a source; value options replace all values of their kind')
        .argument('<id>', 'source ID')
        .option('--name <name>', 'display name')
        .option('--active <on|off>', 'archive (off) or restore (on)'),
    ),
  ).action(async (id: string, options) => {
    await withSourceServices(io, options, async (services) => {
      const sourceId = parseIdOption('source ID', id);
      const active = options.active === undefined ? undefined : parseFlag('--active', options.active);
      await services.tracking.updateSource(sourceId, { name: options.name, active, values: valueChanges(options) });
      printLine(io, `source ${sourceId} updated`);
    });
  });

  addDataOption(source.command('delete').description('delete a custom source').argument('<id>', 'source ID')).action(async (id: string, options) => {
    await withSourceServices(io, options, async (services) => {
      const sourceId = parseIdOption('source ID', id);
      await services.tracking.deleteSource(sourceId);
      printLine(io, `source ${sourceId} deleted`);
    });
  });

  addDataOption(
    source
      .command('settings')
      .description('show or change the region and the social referrer option')
      .option('--region <region>', `which built-in sources exist: ${REGIONS.join(' or ')}`)
      .option('--social-referrers <on|off>', 'recognise social sites by referrer domain'),
  ).action(async (options) => {
    await withSourceServices(io, options, async (services) => {
      if (options.region !== undefined && !REGIONS.includes(options.region as Region)) {
        throw new Error(`--region must be ${REGIONS.join(' or ')}, got "${options.region}"`);
      }
      const settings = await services.tracking.updateSettings({
        region: options.region as Region | undefined,
        socialReferrers: options.socialReferrers === undefined ? undefined : parseFlag('--social-referrers', options.socialReferrers),
      });
      printLine(io, `region: ${settings.region}; social referrer domains: ${settings.socialReferrers ? 'on' : 'off'}`);
    });
  });

  return source;
}
