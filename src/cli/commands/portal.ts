// `salestrace portal close|open|status`: the "temporary closure of the public part of the
// site", under which every REST call answers PORTAL_DELETED. A running server sees a change
// within a second (src/system/portalState.ts).
import { Command } from 'commander';
import { PORTAL_CLOSED_SETTING, setPortalClosed } from '../../system/portalState.js';
import { readSetting } from '../../system/settings.js';
import { addDataOption, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

export function portalCommand(io: CliIo): Command {
  const portal = new Command('portal').description('open or close the REST API of the whole server');

  for (const [name, closed] of [['close', true], ['open', false]] as const) {
    addDataOption(
      portal.command(name).description(closed ? 'close: every REST call answers PORTAL_DELETED' : 'open the REST API again'),
    ).action(async (options) => {
      await withServices(io, options, async (services) => {
        await setPortalClosed(services.db, closed);
        printLine(io, `portal ${closed ? 'closed' : 'open'}`);
      });
    });
  }

  addDataOption(portal.command('status').description('print open or closed')).action(async (options) => {
    await withServices(io, options, async (services) => {
      printLine(io, (await readSetting(services.db, PORTAL_CLOSED_SETTING)) === '1' ? 'closed' : 'open');
    });
  });

  return portal;
}
