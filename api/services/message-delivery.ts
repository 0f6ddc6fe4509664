import nodemailer from 'nodemailer';
import { AppError, ErrorCode } from '../errors';

export type MessageChannel = 'email' | 'sms';

export interface OutgoingMessage {
  channel: MessageChannel;
  /** Email address or E.164 phone number. */
  to: string;
  subject: string;
  text: string;
}

/** One adapter per channel: SMTP for email, an SMS gateway for phones, the dev mailbox in development. */
export interface MessageSender {
  send(message: OutgoingMessage): Promise<void>;
}

export interface DeliveredMessage extends OutgoingMessage {
  sentAt: Date;
}

/** Email through any SMTP server (nodemailer); `smtps://` for implicit TLS, STARTTLS is negotiated otherwise. */
export function createSmtpSender(options: { url: string; from: string }): MessageSender & { close(): void } {
  const transport = nodemailer.createTransport(options.url, { connectionTimeout: 5000, greetingTimeout: 5000 });
  return {
    async send(message) {
      try {
        await transport.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
      } catch (err) {
        const failure = new AppError(
          ErrorCode.DEPENDENCY_UNAVAILABLE,
          'We could not send the code just now: try again in a minute',
        );
        // For the log (5xx are logged with their cause); the client only sees the message above.
        failure.cause = err;
        throw failure;
      }
    },
    close: () => transport.close(),
  };
}

/**
 * Development only: keeps what would have been sent, newest first, for the dev mailbox page.
 * Never constructed in production (app.ts), so codes cannot leak through it there.
 */
export function createDevMailbox(capacity = 200) {
  const messages: DeliveredMessage[] = [];
  return {
    send(message: OutgoingMessage): Promise<void> {
      messages.unshift({ ...message, sentAt: new Date() });
      messages.length = Math.min(messages.length, capacity);
      return Promise.resolve();
    },
    list(to?: string): DeliveredMessage[] {
      return to === undefined ? [...messages] : messages.filter((m) => m.to === to);
    },
  };
}

export type DevMailbox = ReturnType<typeof createDevMailbox>;
