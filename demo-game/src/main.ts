/** Minimal demo page: host a lobby, join by code, chat. (The Phaser game replaces it.) */
import { connect, HostmeshError, type Session } from 'hostmesh';

const app = document.getElementById('app')!;
const net = connect(location.origin);
let session: Session | undefined;

function render(html: string): void {
  app.innerHTML = html;
}

function menu(error?: string): void {
  render(`<h1>hostmesh</h1>
    <p><input id="name" placeholder="Your name" value="Player"></p>
    <p><button id="host">Host game</button></p>
    <p><input id="code" placeholder="Join code"> <button id="join">Join game</button></p>
    <p id="error" class="error">${error ?? ''}</p>`);
  const name = () => (document.getElementById('name') as HTMLInputElement).value;
  document.getElementById('host')!.onclick = () => void start(() => net.host({ name: 'Demo', playerName: name() }));
  document.getElementById('join')!.onclick = () => {
    const code = (document.getElementById('code') as HTMLInputElement).value;
    void start(() => net.join(code, { playerName: name() }));
  };
}

async function start(open: () => Promise<Session>): Promise<void> {
  try {
    session = await open();
  } catch (err) {
    menu(err instanceof HostmeshError ? err.message : String(err));
    return;
  }
  const s = session;
  const link = `${location.origin}/?join=${s.code}`;
  render(`<p>Lobby code</p><p class="code" id="lobby-code">${s.code}</p>
    <p>Invite link: <a href="${link}">${link}</a></p>
    <p>Players: <span id="players"></span></p>
    <div id="log"></div>
    <p><input id="msg" placeholder="Say something"> <button id="send">Send</button> <button id="leave">Leave</button></p>`);
  const log = (line: string) => { document.getElementById('log')!.textContent += `${line}\n`; };
  const players = () => {
    document.getElementById('players')!.textContent = [...s.players.values()].map((p) => p.name + (p.isHost ? ' (host)' : '')).join(', ');
  };
  players();
  s.on('playerJoin', (p) => { log(`${p.name} joined`); players(); });
  s.on('playerLeave', (p) => { log(`${p.name} left`); players(); });
  s.on('close', (_reason, err) => menu(err?.message ?? 'Session closed.'));
  s.onMessage<string>('chat', (text, from) => log(`${s.players.get(from)?.name ?? from}: ${text}`));
  document.getElementById('send')!.onclick = () => {
    const input = document.getElementById('msg') as HTMLInputElement;
    s.send('chat', input.value);
    log(`me: ${input.value}`);
    input.value = '';
  };
  document.getElementById('leave')!.onclick = () => void s.leave();
}

const joinCode = new URLSearchParams(location.search).get('join');
if (joinCode) void start(() => net.join(joinCode, { playerName: 'Player' }));
else menu();
