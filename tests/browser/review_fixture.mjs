// Starts review_fixture_server (seeded workspace on 127.0.0.1) and resolves
// with the child and its base URL once it prints the port it listens on.
import { spawn } from "node:child_process";

export function startFixtureServer(serverBin) {
  return new Promise((resolve, reject) => {
    const child = spawn(serverBin, ["--deals", "6"], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening (\d+)/);
      if (m) resolve({ child, base: `http://127.0.0.1:${m[1]}` });
    });
    child.on("exit", (code) => reject(new Error("fixture server exited " + code)));
  });
}
