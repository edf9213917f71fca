package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The Ansible side of the "real OpenSSH hosts" scenario: the {@code serial: 1} rolling upgrade written the way
 * Ansible's documentation recommends for hosts with Python, i.e. with {@code ansible.builtin.command} tasks (each a
 * Python module run on the node, {@code /usr/bin/python3}) and pipelining on, over OpenSSH connection multiplexing
 * (ControlMaster/ControlPersist) with strict host-key checking. Same steps and the same health condition as
 * {@link AnsiblePlaybook} (whose inventory and {@code ansible.cfg} it reuses): {@code pmxs stop},
 * {@code mx-install <target>}, {@code pmxs start}, then {@code pmxs status} until the line
 * {@code Matrix Server <target> is running}, {@code stableProbes} times {@code interval} apart.
 *
 * @param hosts in upgrade order (the matrix-server rule: highest cluster address first)
 * @param pythonInterpreter the nodes' Python, e.g. {@code /usr/bin/python3}
 */
public record AnsibleCommandPlaybook(List<AnsiblePlaybook.Host> hosts, String targetVersion, String sshUser, Path privateKey,
                                     Path knownHosts, int stableProbes, Duration probeInterval, String pythonInterpreter) {

    public AnsibleCommandPlaybook {
        hosts = List.copyOf(hosts);
    }

    private AnsiblePlaybook base() {
        return new AnsiblePlaybook(hosts, targetVersion, sshUser, privateKey, knownHosts, stableProbes, probeInterval);
    }

    /** inventory.ini: {@link AnsiblePlaybook#inventory()} plus the nodes' Python interpreter in {@code [matrix:vars]}. */
    public String inventory() {
        return base().inventory() + "ansible_python_interpreter=" + pythonInterpreter + "\n";
    }

    /** ansible.cfg: {@link AnsiblePlaybook#config(Path)} (pipelining on, ControlPersist, strict host keys). */
    public String config(Path controlPathDir) {
        return base().config(controlPathDir);
    }

    /** playbook.yml: the rolling upgrade with the command module, one host at a time, stopping at the first failure. */
    public String playbook() {
        return AnsiblePlaybook.play("""
                # Real OpenSSH hosts with Python: every step is ansible.builtin.command (pipelining on in ansible.cfg).
                # Facts are not needed.""", "ansible.builtin.command", targetVersion, stableProbes, probeInterval);
    }

    /** Writes inventory.ini, ansible.cfg and playbook.yml into {@code dir}. */
    public void writeTo(Path dir, Path controlPathDir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("inventory.ini"), inventory());
        Files.writeString(dir.resolve("ansible.cfg"), config(controlPathDir));
        Files.writeString(dir.resolve("playbook.yml"), playbook());
    }
}
