// `salestrace site list|get|add|update|delete`: the customer's own sites from the command line,
// through the same service as the salestrace.site.* methods.
import { Command } from 'commander';
import type { ErrorDetails } from '../../domainError.js';
import type { Services } from '../../services.js';
import type { SiteChanges, SiteRecord } from '../../sites/contract.js';
import { SiteError, type SiteErrorKind } from '../../sites/errors.js';
import { addDataOption, parseIdOption, printTable, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';
import { siteSnippetCommand } from './siteSnippet.js';

const SITE_MESSAGES: Record<SiteErrorKind, (details: ErrorDetails) => string> = {
  siteNotFound: ({ id }) => `Site with ID \`${id}\` not found.`,
  siteAddressRequired: () => 'A site needs --address.',
  siteAddressInvalid: ({ value }) => `"${value}" is not the http(s) address of a web site.`,
  siteHostTaken: ({ id, host }) => `Site ${id} already has the host ${host}.`,
  sitePhoneInvalid: ({ limit }) => `A phone number is longer than ${limit} characters.`,
  siteEmailInvalid: ({ value }) => `"${value}" is not an e-mail address.`,
  // Forms are managed by salestrace.form.*; the site commands meet none of these.
  formNotFound: ({ id }) => `Form with ID \`${id}\` not found.`,
  formNameRequired: () => 'A form needs a name.',
  formFieldsInvalid: ({ allowed }) => `Form fields must map to lead fields: ${allowed}.`,
  formSiteNotFound: () => 'The form names no own site.',
  formResponsibleInvalid: () => 'The form names no user as responsible.',
  formThanksUrlInvalid: () => 'The thank-you page must be an http(s) address.',
};

async function withSiteServices<T>(io: CliIo, options: Record<string, unknown>, run: (services: Services) => Promise<T>): Promise<T> {
  try {
    return await withServices(io, options, run);
  } catch (error) {
    if (error instanceof SiteError) throw new Error(SITE_MESSAGES[error.kind](error.details));
    throw error;
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseFlag(name: string, text: string): boolean {
  const lower = text.toLowerCase();
  if (['y', 'yes', 'on', 'true', '1'].includes(lower)) return true;
  if (['n', 'no', 'off', 'false', '0'].includes(lower)) return false;
  throw new Error(`${name} must be on or off, got "${text}"`);
}

const FLAGS: [keyof SiteChanges, string, string][] = [
  ['replaceText', '--replace-text <on|off>', 'replace the site’s numbers in the page text (default on)'],
  ['enrichText', '--enrich-text <on|off>', 'turn numbers in the text into tel:/mailto: links (default on)'],
  ['resolveDup', '--resolve-dup <on|off>', 'hide duplicate links after replacement (default on)'],
  ['active', '--active <on|off>', 'whether the site is tracked (default on)'],
  ['installed', '--installed <on|off>', 'whether the tracker pack serves the site (default on)'],
];

function withSiteOptions(command: Command): Command {
  command
    .option('--phone <number>', 'a phone number printed on the site; repeat for several, give "" to clear', collect)
    .option('--email <address>', 'an e-mail address printed on the site; repeat for several, give "" to clear', collect);
  for (const [, flags, description] of FLAGS) command.option(flags, description);
  return command;
}

function changesFrom(options: Record<string, unknown>): SiteChanges {
  const changes: Record<string, unknown> = {};
  if (typeof options.address === 'string') changes.address = options.address;
  if (Array.isArray(options.phone)) changes.phones = options.phone;
  if (Array.isArray(options.email)) changes.emails = options.email;
  for (const [key, flags] of FLAGS) {
    const name = flags.split(' ')[0];
    const optionKey = name.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    if (typeof options[optionKey] === 'string') changes[key] = parseFlag(name, options[optionKey] as string);
  }
  return changes as SiteChanges;
}

const yn = (flag: boolean) => (flag ? 'Y' : 'N');

function row(site: SiteRecord): Record<string, unknown> {
  return {
    ID: site.id,
    HOST: site.host,
    ADDRESS: site.address,
    PHONES: site.phones.join(','),
    EMAILS: site.emails.join(','),
    REPLACE: yn(site.replaceText),
    ENRICH: yn(site.enrichText),
    DEDUP: yn(site.resolveDup),
    ACTIVE: yn(site.active),
    INSTALLED: yn(site.installed),
  };
}

export function siteCommand(io: CliIo): Command {
  const site = new Command('site').description('manage own web sites (the tracker pack, the site channel)');

  addDataOption(site.command('list').description('list own sites')).action(async (options) => {
    await withSiteServices(io, options, async (services) => {
      printTable(io, (await services.sites.listSites()).map(row));
    });
  });

  addDataOption(site.command('get').description('show one site').argument('<id>', 'site ID')).action(async (id: string, options) => {
    await withSiteServices(io, options, async (services) => {
      const siteId = parseIdOption('site ID', id);
      const found = await services.sites.getSite(siteId);
      if (found === undefined) throw new SiteError('siteNotFound', { id: siteId });
      printTable(io, [row(found)]);
    });
  });

  addDataOption(withSiteOptions(site.command('add').description('add an own site').requiredOption('--address <url>', 'the site’s address, e.g. https://example.com/'))).action(
    async (options) => {
      await withSiteServices(io, options, async (services) => {
        const id = await services.sites.addSite(changesFrom(options));
        printLine(io, `site ${id} added`);
      });
    },
  );

  addDataOption(withSiteOptions(site.command('update').description('change a site').argument('<id>', 'site ID').option('--address <url>', 'the site’s address'))).action(
    async (id: string, options) => {
      await withSiteServices(io, options, async (services) => {
        const siteId = parseIdOption('site ID', id);
        await services.sites.updateSite(siteId, changesFrom(options));
        printLine(io, `site ${siteId} updated`);
      });
    },
  );

  addDataOption(site.command('delete').description('delete a site').argument('<id>', 'site ID')).action(async (id: string, options) => {
    await withSiteServices(io, options, async (services) => {
      const siteId = parseIdOption('site ID', id);
      await services.sites.deleteSite(siteId);
      printLine(io, `site ${siteId} deleted`);
    });
  });

  addDataOption(
    site
      .command('settings')
      .description('show or change the options of /pub/guest.php and the site forms')
      .option('--any-origin <on|off>', 'answer every Origin with credentials, as a portal does (default off: only active own sites)'),
  ).action(async (options) => {
    await withSiteServices(io, options, async (services) => {
      const anyOrigin = options.anyOrigin === undefined ? undefined : parseFlag('--any-origin', options.anyOrigin);
      const settings = await services.sites.savePublicSettings({ anyOrigin });
      printLine(io, `any origin: ${settings.anyOrigin ? 'on' : 'off'}`);
    });
  });

  site.addCommand(siteSnippetCommand(io));
  return site;
}
