// Operation name -> handler.
import type { Ctx } from '../context.js';
import type { Operation } from '../router.js';
import * as bucket from './bucket.js';
import { deleteObject, deleteObjects } from './delete.js';
import { listMultipartUploads, listObjectVersions, listObjects, listObjectsV2 } from './list.js';
import * as mp from './multipart.js';
import { completeMultipartUpload } from './multipart-complete.js';
import { getObject, headObject } from './object-read.js';
import * as tagging from './object-tagging.js';
import { copyObject, putObject } from './object-write.js';

export const HANDLERS: Record<Operation, (ctx: Ctx) => void | Promise<void>> = {
  ListBuckets: bucket.listBuckets,
  CreateBucket: bucket.createBucket,
  HeadBucket: bucket.headBucket,
  DeleteBucket: bucket.deleteBucket,
  GetBucketLocation: bucket.getBucketLocation,
  GetBucketVersioning: bucket.getBucketVersioning,
  PutBucketVersioning: bucket.putBucketVersioning,
  GetBucketReplication: bucket.getBucketReplication,
  PutBucketReplication: bucket.putBucketReplication,
  DeleteBucketReplication: bucket.deleteBucketReplication,
  GetBucketTagging: bucket.getBucketTagging,
  PutBucketTagging: bucket.putBucketTagging,
  DeleteBucketTagging: bucket.deleteBucketTagging,
  GetBucketAcl: bucket.getBucketAcl,
  PutBucketAcl: bucket.putAcl,
  GetBucketUnconfigured: bucket.getUnconfigured,
  DeleteBucketUnconfigured: bucket.deleteUnconfigured,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListObjectVersions: listObjectVersions,
  ListMultipartUploads: listMultipartUploads,
  DeleteObjects: deleteObjects,
  PutObject: putObject,
  CopyObject: copyObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  GetObjectTagging: tagging.getObjectTagging,
  PutObjectTagging: tagging.putObjectTagging,
  DeleteObjectTagging: tagging.deleteObjectTagging,
  GetObjectAcl: tagging.getObjectAcl,
  PutObjectAcl: bucket.putAcl,
  CreateMultipartUpload: mp.createMultipartUpload,
  UploadPart: mp.uploadPart,
  UploadPartCopy: mp.uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: mp.abortMultipartUpload,
  ListParts: mp.listParts,
};
