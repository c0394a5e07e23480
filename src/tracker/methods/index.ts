// Every site tracker REST method.
import type { MethodDeclaration } from '../../rest/method.js';
import type { TrackerPorts } from './ports.js';
import { siteLoaderMethod } from './loader.js';

export const trackerMethods: MethodDeclaration<TrackerPorts>[] = [siteLoaderMethod];
