import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { sendReply, type HttpReply } from './http-reply';
import { PaywallResponseException } from './paywall-response.exception';

/** Sends the paywall's own answers (challenge, protocol errors) exactly as the core rendered them. */
@Catch(PaywallResponseException)
export class PaywallResponseFilter implements ExceptionFilter {
  catch(exception: PaywallResponseException, host: ArgumentsHost): void {
    const { status, headers, body } = exception.response;
    sendReply(host.switchToHttp().getResponse<HttpReply>(), status, headers, body);
  }
}
