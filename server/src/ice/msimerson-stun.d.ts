/** The part of `@msimerson/stun` (no bundled types) that stun-server.ts uses. */
declare module '@msimerson/stun' {
  import type { EventEmitter } from 'node:events';
  import type { RemoteInfo, Socket } from 'node:dgram';

  /** A decoded STUN message. */
  export interface StunMessage {
    readonly type: number;
    readonly transactionId: Buffer;
    addXorAddress(address: string, port: number): unknown;
    getXorAddress(): { address: string; port: number; family: string } | undefined;
  }

  /** A STUN server on a UDP socket. */
  export interface StunServer extends EventEmitter {
    send(message: StunMessage, port: number, address: string, cb?: () => void): void;
    close(): void;
    listen(port: number, address?: string, callback?: () => void): void;
    on(event: 'bindingRequest', listener: (request: StunMessage, rinfo: RemoteInfo) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export function createServer(options: { type: 'udp4' | 'udp6'; socket?: Socket }): StunServer;
  export function createMessage(type: number, transactionId?: Buffer): StunMessage;
  export function request(url: string, options?: { timeout?: number; retries?: number }): Promise<StunMessage>;
  export const constants: Record<string, number | string>;
}
