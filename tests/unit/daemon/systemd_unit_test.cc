// Checks systemd/dealsyncd.service with `systemd-analyze verify` (which also
// checks that ExecStart= is executable: the test verifies a copy whose
// ExecStart points at the dealsyncd just built) and pins the directives the
// operations guide promises.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool HasSystemdAnalyze() {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/local/bin"}) {
    if (fs::exists(fs::path(dir) / "systemd-analyze")) {
      return true;
    }
  }
  return false;
}

// Runs `command`, returns its exit status and combined output.
std::pair<int, std::string> RunShell(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return {-1, "popen failed"};
  }
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    output.append(buffer, n);
  }
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(SystemdUnitTest, PinsTheLifecycleAndHardeningDirectives) {
  const std::string unit = ReadFile(DEALSYNC_UNIT_FILE);
  ASSERT_FALSE(unit.empty()) << DEALSYNC_UNIT_FILE;
  for (const char* directive : {"Type=notify\n",
                                "NotifyAccess=main\n",
                                "WatchdogSec=30s\n",
                                "Restart=on-failure\n",
                                "RestartPreventExitStatus=78\n",
                                "StateDirectory=dealsync\n",
                                "ConfigurationDirectory=dealsync\n",
                                "User=dealsync\n",
                                "Group=dealsync\n",
                                "LoadCredential=dealsync:/etc/dealsync/credentials\n",
                                "ExecReload=/usr/bin/dealsyncctl reload --config /etc/dealsync\n",
                                "ProtectSystem=strict\n",
                                "ProtectHome=yes\n",
                                "PrivateTmp=yes\n",
                                "PrivateDevices=yes\n",
                                "NoNewPrivileges=yes\n",
                                "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n",
                                "SystemCallFilter=@system-service\n",
                                "SystemCallArchitectures=native\n",
                                "CapabilityBoundingSet=\n",
                                "ProtectKernelTunables=yes\n",
                                "ProtectKernelModules=yes\n",
                                "ProtectKernelLogs=yes\n",
                                "LockPersonality=yes\n",
                                "MemoryDenyWriteExecute=yes\n",
                                "RestrictNamespaces=yes\n",
                                "RestrictRealtime=yes\n",
                                "UMask=0077\n"}) {
    EXPECT_NE(unit.find(directive), std::string::npos) << "missing " << directive;
  }
}

TEST(SystemdUnitTest, VerifiesWithSystemdAnalyze) {
  if (!HasSystemdAnalyze()) {
    GTEST_SKIP() << "systemd-analyze is not installed";
  }
  ASSERT_TRUE(fs::exists(DEALSYNC_DEALSYNCD)) << DEALSYNC_DEALSYNCD;
  const std::string unit = ReadFile(DEALSYNC_UNIT_FILE);
  const std::string exec = "ExecStart=/usr/bin/dealsyncd ";
  const size_t at = unit.find(exec);
  ASSERT_NE(at, std::string::npos);
  std::string copy = unit;
  copy.replace(at, exec.size(), std::string("ExecStart=") + DEALSYNC_DEALSYNCD + " ");
  const std::string reload = "ExecReload=/usr/bin/dealsyncctl ";
  const size_t reload_at = copy.find(reload);
  ASSERT_NE(reload_at, std::string::npos);
  copy.replace(reload_at, reload.size(), std::string("ExecReload=") + DEALSYNC_DEALSYNCCTL + " ");

  const fs::path dir = fs::temp_directory_path() / ("dealsync-unit-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / "dealsyncd.service";
  {
    std::ofstream out(path);
    out << copy;
  }
  // --man=no: the Documentation= man pages are installed by the package (its
  // test verifies the installed unit with them).
  auto [status, output] = RunShell("systemd-analyze verify --man=no '" + path.string() + "'");
  fs::remove_all(dir);
  EXPECT_EQ(status, 0) << output;
  // verify prints warnings (unknown directives, bad values) but may still exit 0.
  EXPECT_EQ(output.find("dealsyncd.service"), std::string::npos) << output;
}

TEST(SystemdUnitTest, VerifyCatchesABrokenUnit) {
  if (!HasSystemdAnalyze()) {
    GTEST_SKIP() << "systemd-analyze is not installed";
  }
  const fs::path dir =
      fs::temp_directory_path() / ("dealsync-badunit-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / "broken.service";
  {
    std::ofstream out(path);
    out << "[Service]\nType=notify\nExecStart=/nonexistent/dealsyncd\n";
  }
  auto [status, output] = RunShell("systemd-analyze verify '" + path.string() + "'");
  fs::remove_all(dir);
  EXPECT_NE(status, 0) << output;  // the check above can fail
}

}  // namespace
