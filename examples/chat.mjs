// A minimal Switchboard client with no dependencies (Node 22+, or Node 20 with --experimental-websocket).
//   node examples/chat.mjs [ws://localhost:8080/ws] [room]
// Mints a dev token (dev mode only), connects with it in the bearer.<jwt> subprotocol, joins a room,
// publishes one message and prints every frame it receives.
const url = process.argv[2] ?? 'ws://localhost:8080/ws';
const room = process.argv[3] ?? 'chat:lobby';
const http = url.replace(/^ws/, 'http').replace(/\/ws$/, '');

const { token } = await (await fetch(`${http}/dev/token?sub=${process.env.USER ?? 'me'}&roles=user`)).json();
const ws = new WebSocket(url, ['switchboard.v1', `bearer.${token}`]);

ws.onmessage = (event) => {
  const frame = JSON.parse(event.data);
  console.log('<-', event.data);
  if (frame.op === 'welcome') {
    ws.send(JSON.stringify({ op: 'join', room, ref: 'j1' }));
  } else if (frame.op === 'reply' && frame.ref === 'j1') {
    ws.send(JSON.stringify({ op: 'publish', room, data: { text: 'hello from node' }, ref: 'p1' }));
  }
};
ws.onclose = (event) => console.log('closed', event.code, event.reason);
