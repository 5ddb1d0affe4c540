// The bundled demo configuration: HAProxy syntax, loaded by the real config loader. Two
// listeners on one frontend — a plain one for ordinary clients and an `accept-proxy` one for
// clients that speak the PROXY protocol themselves (`curl --haproxy-protocol`) — and two demo
// app servers, one told the client address with a v2 header, the other with a v1 line.

export interface DemoPorts {
  plain: number;
  proxy: number;
  app1: number;
  app2: number;
}

export function demoConfig(ports: DemoPorts): string {
  return `# truehop demo (npm start)
global
    log stdout format raw local0

defaults
    mode tcp
    log global
    option tcplog
    timeout connect 2s
    timeout client 30s
    timeout client-hs 5s
    timeout server 30s

frontend demo
    bind 127.0.0.1:${ports.plain}                 # plain clients
    bind 127.0.0.1:${ports.proxy} accept-proxy    # clients that send a PROXY header
    default_backend demo_apps

backend demo_apps
    balance roundrobin
    server app1 127.0.0.1:${ports.app1} send-proxy-v2 proxy-v2-options crc32c check inter 2s
    server app2 127.0.0.1:${ports.app2} send-proxy check inter 2s
`;
}
