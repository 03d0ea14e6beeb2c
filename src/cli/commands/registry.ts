/**
 * Every CLI command, in the order the usage text lists them. New commands are added here.
 *
 * @module
 */
import type { CliCommand } from '../cli-command.js';
import { demoCommand } from './demo.js';
import { diagramCommand } from './diagram.js';
import { testServerCommand } from './test-server.js';

/** The commands `eventsourcing-kurrentdb` knows. */
export const COMMANDS: readonly CliCommand[] = [demoCommand, diagramCommand, testServerCommand];
