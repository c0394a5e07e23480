// `salestrace site snippet`: prints the loader snippet to paste into every page of a website,
// and the form hook, for a server reached at --public-url (or SALESTRACE_PUBLIC_URL).
import { Command } from 'commander';
import { ConfigError, resolveConfig } from '../../config.js';
import { loaderSnippet } from '../../tracker/loader.js';
import { printLine, type CliIo } from '../io.js';
import { addDataOption } from '../shared.js';

export function siteSnippetCommand(io: CliIo): Command {
  // --data is accepted as by every command; the snippet needs no database.
  return addDataOption(new Command('snippet'))
    .description('print the tracker loader for every page of a website, and the form hook')
    .option('--public-url <address>', 'the address websites reach this server at, e.g. https://crm.example.com; env SALESTRACE_PUBLIC_URL')
    .option('--loader-only', 'print only the loader script tag')
    .action((options: { publicUrl?: string; loaderOnly?: boolean }) => {
      const { publicUrl } = resolveConfig({ publicUrl: options.publicUrl }, io.env);
      if (publicUrl === null) throw new ConfigError('give --public-url <address> (or SALESTRACE_PUBLIC_URL): the address websites reach this server at');
      const snippet = loaderSnippet(publicUrl);
      printLine(io, snippet.loader);
      if (options.loaderOnly) return;
      printLine(io, '');
      printLine(io, '<!-- Optional: every form with a hidden TRACE or trace field gets the visitor\'s trace on submit -->');
      printLine(io, snippet.formHook);
    });
}
