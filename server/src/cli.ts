#!/usr/bin/env node
/**
 * `hostmesh-server`: starts the server from flags and env, prints the URLs to open (this
 * machine and its LAN addresses), and shuts down cleanly on SIGINT/SIGTERM.
 */
import { networkInterfaces } from 'node:os';
import { parseCli, USAGE } from './cli-args.js';
import { startServer } from './start-server.js';

function lanUrls(host: string, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [];
  const urls: string[] = [];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (!a.internal && a.family === 'IPv4') urls.push(`http://${a.address}:${port}/`);
    }
  }
  return urls;
}

function fail(message: string, exitCode: number): never {
  process.stderr.write(`hostmesh-server: ${message}\n`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  let command;
  try {
    command = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\nRun hostmesh-server --help for the options.`, 2);
  }
  if (command.help) {
    process.stdout.write(USAGE);
    return;
  }
  const { options } = command;
  // --quiet leaves the one line a supervisor reads: the URL.
  const quiet = options.log === false;
  // Signal handlers first: a supervisor may signal as soon as it reads the URL line.
  let stopping = false;
  let close: (() => Promise<void>) | undefined;
  const stop = (signal: string): void => {
    if (stopping) process.exit(130);
    stopping = true;
    if (!quiet) process.stdout.write(`hostmesh server stopping (${signal})\n`);
    (close?.() ?? Promise.resolve()).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  let server;
  try {
    server = await startServer(options);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE') fail(`port ${options.port} is already in use on ${options.host}. Stop the other server, or pick another port: hostmesh-server --port ${Number(options.port) + 1} (or PORT=${Number(options.port) + 1}).`, 1);
    if (code === 'EACCES') fail(`not allowed to listen on port ${options.port}. Ports below 1024 need privileges: pick another with --port (e.g. --port 9000).`, 1);
    if (code === 'EADDRNOTAVAIL') fail(`cannot listen on ${options.host}: no such local address. Use --host 0.0.0.0 or an address of this machine.`, 1);
    fail(err instanceof Error ? err.message : String(err), 1);
  }
  close = server.close;
  if (stopping) {
    await server.close();
    process.exit(0);
  }
  process.stdout.write(`hostmesh server listening on ${server.url}\n`);
  if (quiet) return;
  for (const url of lanUrls(options.host ?? '0.0.0.0', server.port)) process.stdout.write(`  on your network: ${url}\n`);
}

void main();
