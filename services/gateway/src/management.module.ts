import { Module } from '@nestjs/common';
import { ManagementController } from './management.controller';
import { OperatorGuard } from './operator.guard';

/** The management API; AppModule mounts it under GATEWAY_PATH with Nest's RouterModule. */
@Module({ controllers: [ManagementController], providers: [OperatorGuard] })
export class ManagementModule {}
