#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { PlatformStack } from '../lib/platform-stack';

const app = new App();
new PlatformStack(app, 'ProtonPlatform');
