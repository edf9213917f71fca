package dev.baton.sandbox.fleet;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One exec request on a simulated node: logs the command line, runs it (the shell spends any {@code slowCommands}
 * delay of its commands), sends its output, then an exit status — or drops the connection ({@code dropConnectionOn}) or reboots the node.
 * Runs on the fleet's command pool so sessions of one node proceed concurrently. Touches no topic.
 */
final class ExecCommand implements Command {

    private static final System.Logger LOG = System.getLogger(ExecCommand.class.getName());

    private final SimulatedNode node;
    private final String commandLine;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    ExecCommand(SimulatedNode node, String commandLine) {
        this.node = node;
        this.commandLine = commandLine;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
        this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        // Only a command that reached an exec channel is logged: host-key and authentication failures never get here.
        node.logCommand(commandLine);
        node.commandPool().execute(() -> run(channel));
    }

    private void run(ChannelSession channel) {
        String bootId = node.bootId();
        try {
            CommandResult result = node.execute(commandLine, this::readInput);
            if (!node.sameBoot(bootId)) {
                return;  // the node rebooted or the fleet closed while the command was "running": it died with it
            }
            out.write(result.stdout().getBytes(StandardCharsets.UTF_8));
            out.flush();
            err.write(result.stderr().getBytes(StandardCharsets.UTF_8));
            err.flush();
            if (result.reboot()) {
                node.rebootFrom(channel.getSession());
            } else if (node.faults().dropsConnection(commandLine)) {
                channel.getSession().close(true);
            } else {
                exit.onExit(result.exitCode());
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away (or the node rebooted); a real host would not notice either
            LOG.log(System.Logger.Level.DEBUG, "output of '" + commandLine + "' on " + node + " not delivered", e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "simulated command '" + commandLine + "' on " + node + " failed", e);
            exit.onExit(255, "simulator error: " + e);
        }
    }

    private byte[] readInput() {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        // The command keeps running on the "host" when the client goes away, as a real one would without a pty.
    }
}
